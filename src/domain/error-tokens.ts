/**
 * The closed set of error tokens and the HTTP status of each: the one table. Use cases fail with a
 * token; only the HTTP and MCP layers turn it into an answer, always `{ "error": token }` (detail
 * goes to logs only).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

const STATUS = {
  // reference tokens
  to_required: 400,
  objective_required: 400,
  invalid_number: 400,
  destination_blocked: 400,
  caller_id_not_owned: 400,
  invalid_fields: 400,
  invalid_context: 400,
  invalid_caller_id: 400,
  invalid_webhook_url: 400,
  unauthorized: 401,
  rate_limited: 429,
  over_minute_cap: 429,
  placement_failed: 502,
  store_error: 503,
  // ours, documented in the README's API section
  invalid_json: 400,
  objective_too_long: 400,
  caller_id_required: 400,
  invalid_voice: 400,
  invalid_language: 400,
  invalid_limit: 400,
  invalid_cursor: 400,
  invalid_status: 400,
  invalid_idempotency_key: 400,
  invalid_request: 400,
  outside_calling_window: 400,
  invalid_schedule: 400,
  invalid_on_behalf_of: 400,
  invalid_voicemail: 400,
  invalid_live_events: 400,
  forbidden: 403,
  not_found: 404,
  idempotency_key_in_use: 409,
  call_already_ended: 409,
  question_closed: 409,
  no_webhook_url: 409,
  method_not_allowed: 405,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  do_not_call: 400,
  invalid_transfer_number: 400,
  invalid_max_hold_sec: 400,
  invalid_transfer_when: 400,
  destination_frequency_capped: 429,
  upgrade_required: 426,
  internal: 500,
  bad_environment: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorToken = keyof typeof STATUS;

/** Every token, in the table's order (the OpenAPI document and the README test read it). */
export const ERROR_TOKENS = Object.keys(STATUS) as ErrorToken[];

export function statusOf(token: ErrorToken): ContentfulStatusCode {
  return STATUS[token];
}

export function isErrorToken(value: string): value is ErrorToken {
  return Object.hasOwn(STATUS, value);
}
