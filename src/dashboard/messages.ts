/** What a use case's failure token means to a person filling in a dashboard form. */
import type { ErrorToken } from "../domain/error-tokens";

const MESSAGES: Partial<Record<ErrorToken, string>> = {
  to_required: "Enter the number to call.",
  invalid_number: "That is not a valid phone number in international format (+14155550123).",
  destination_blocked: "That destination cannot be called (region or number type not allowed).",
  objective_required: "Enter what the call should achieve.",
  objective_too_long: "The objective is longer than 4,000 characters.",
  invalid_context: "The context is longer than 10,000 characters.",
  invalid_fields:
    "The fields are not valid: one per line, name or name:type (string, boolean, number), names unique.",
  invalid_webhook_url: "The webhook URL must be an https:// URL (or a local http:// one locally).",
  caller_id_required: "The account has no number to call from: add one under Developers.",
  caller_id_not_owned: "That caller ID is not one of the account's numbers.",
  invalid_caller_id: "That caller ID is not a valid phone number.",
  invalid_voice: "That voice is not in the catalogue.",
  do_not_call: "That number is on the account's do-not-call list.",
  destination_frequency_capped: "That number has been called too often in the last 24 hours.",
  outside_calling_window: "It is outside calling hours where the recipient is.",
  rate_limited: "Too many calls placed in the last minute; try again shortly.",
  over_minute_cap: "The account has used its minutes for this billing period.",
  placement_failed: "The carrier refused the call.",
  store_error: "The store is unavailable; try again shortly.",
  no_webhook_url: "This call has no webhook URL, so there is nothing to redeliver.",
  call_already_ended: "The call has already ended.",
  not_found: "Not found.",
  invalid_request: "Something in the form is not valid.",
};

export function messageFor(token: ErrorToken): string {
  return MESSAGES[token] ?? `The request failed (${token}).`;
}
