/**
 * The closed set of call error tokens: the `error` of a call that ended `failed`, with what each
 * means. The README's call-error table lists exactly these (a unit test holds it to that).
 */
export const CALL_ERRORS = {
  placement_failed: "the carrier refused the call, or kept failing (429/5xx) through our retries",
  canceled: "you canceled it (or the carrier reports it canceled)",
  carrier_failed: "the carrier reports the call failed",
  ring_timeout: "the carrier reported no outcome within the ring timeout plus 30 s",
  media_not_connected: "answered, but the media stream never connected within 15 s",
  media_lost:
    "the media stream dropped and the carrier did not end the call within 10 s, or no media arrived for 15 s (the service restarted mid-call); billed up to the last media",
  over_minute_cap:
    "answered with no minute of the cap left for it (the cap was lowered while it rang), or a scheduled call found no minute left when it was due",
  model_lost: "the voice model could not be reached, or its connection was lost during the call",
  do_not_call:
    "a scheduled call's number was added to the do-not-call list before it was due (checked again at dial time)",
  destination_frequency_capped:
    "a scheduled call would have exceeded the per-number frequency cap when it was due",
  caller_id_not_owned: "a scheduled call's caller ID was no longer on the account when it was due",
  ivr_stuck:
    "a phone menu kept repeating: the same keys pressed three times without reaching anyone",
  hold_timeout: "on hold longer than `maxHoldSec` (or until the call's length ran out)",
} as const satisfies Record<string, string>;

export type CallErrorToken = keyof typeof CALL_ERRORS;

export const CALL_ERROR_TOKENS = Object.keys(CALL_ERRORS) as [CallErrorToken, ...CallErrorToken[]];
