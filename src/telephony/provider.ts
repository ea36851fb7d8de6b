/**
 * The carrier behind a call. Production talks to Twilio; the local default talks to the built-in
 * simulator, which speaks Twilio's REST API, so both run the same client and the same callbacks.
 */
import type { TelephonyConfig } from "../env";
import type { Transport } from "../lib/loopback";
import { TwilioClient } from "./twilio/client";

export const SIMULATOR_API_PATH = "/simulator/twilio";

export function carrierFor(
  telephony: TelephonyConfig,
  publicBaseUrl: string,
  transport: Transport,
): TwilioClient {
  const apiBase =
    telephony.provider === "twilio" ? telephony.apiBase : `${publicBaseUrl}${SIMULATOR_API_PATH}`;
  return new TwilioClient(
    { apiBase, accountSid: telephony.accountSid, authToken: telephony.authToken },
    transport,
  );
}

/** The paths the carrier calls back on, for one call. */
export function callbackPaths(callId: string) {
  return {
    status: `/telephony/twilio/status/${callId}`,
    amd: `/telephony/twilio/amd/${callId}`,
    media: `/telephony/twilio/media/${callId}`,
  };
}
