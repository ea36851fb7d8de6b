/**
 * The carrier side of a call, for the CallSession: creating the call at the carrier (with the
 * callback and media-stream URLs of this deployment), deciding on retries, and granting the
 * answered call its maximum length within the account's remaining minutes.
 */
import { findAccount } from "../db/accounts.queries";
import { reserveSeconds } from "../db/calls.queries";
import { makeDb } from "../db/client";
import type { Config } from "../env";
import { webSocketUrlOf } from "../lib/loopback";
import { periodStart } from "../limits/billing-period";
import { callbackPaths } from "../telephony/provider";
import { CarrierError, type TwilioClient } from "../telephony/twilio/client";
import type { CallParams } from "./call-params";

export const MAX_DIAL_ATTEMPTS = 4;

export async function createCarrierCall(carrier: TwilioClient, params: CallParams, config: Config) {
  const paths = callbackPaths(params.callId);
  return carrier.createCall({
    to: params.to,
    from: params.from,
    streamUrl: webSocketUrlOf(params.publicBaseUrl + paths.media),
    streamParams: { token: params.streamToken },
    statusCallbackUrl: params.publicBaseUrl + paths.status,
    amdCallbackUrl: params.publicBaseUrl + paths.amd,
    timeoutSec: config.ringTimeoutSec,
    // The carrier's own hard stop; our watchdog applies the (tighter) granted length.
    timeLimitSec: config.maxCallSec,
  });
}

/** After a failed create: when to try again (429/5xx, attempts left), or give up. */
export function retryAfterFailedDial(
  error: unknown,
  attempts: number,
  config: Config,
  now: number,
): number | "give_up" {
  const retryable = error instanceof CarrierError && error.retryable;
  if (!retryable || attempts >= MAX_DIAL_ATTEMPTS) return "give_up";
  return now + config.dialRetryBaseMs * 2 ** (attempts - 1);
}

/** The configured maximum length, never more than the account's remaining minutes allow (ms). */
export async function grantCallDuration(
  env: Env,
  params: CallParams,
  maxSec: number,
): Promise<number> {
  try {
    const db = makeDb(env.DB);
    const account = await findAccount(db, params.accountId);
    if (!account || account.minuteCap === null) return maxSec * 1000;
    const granted = await reserveSeconds(db, {
      callId: params.callId,
      accountId: params.accountId,
      wantSec: maxSec,
      capMinutes: account.minuteCap,
      since: periodStart(account.periodAnchor, new Date()).toISOString(),
    });
    return granted * 1000;
  } catch (e) {
    // The cap is enforced again at the next placement; do not drop a live call over it.
    console.error("minute reservation failed", { callId: params.callId, error: String(e) });
    return maxSec * 1000;
  }
}
