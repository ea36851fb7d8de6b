/**
 * The carrier behind a call, as the Carrier port. Production talks to Twilio; the local default
 * talks to the built-in simulator, which speaks Twilio's REST API, so both run the same client
 * and the same callbacks.
 */
import { voicemailOf } from "../domain/answering";
import type { TelephonyConfig } from "../env";
import type { Transport } from "../lib/loopback";
import { webSocketUrlOf } from "../lib/loopback";
import type { Carrier } from "../ports";
import { callbackPaths } from "./callback-paths";
import { CarrierError, TwilioClient } from "./twilio/client";
import { transferTwiml } from "./twilio/twiml";

export const SIMULATOR_API_PATH = "/simulator/twilio";

export type DialLimits = { ringTimeoutSec: number; maxCallSec: number };

export function carrierFor(
  telephony: TelephonyConfig,
  publicBaseUrl: string,
  transport: Transport,
  limits: DialLimits,
): Carrier {
  const apiBase =
    telephony.provider === "twilio" ? telephony.apiBase : `${publicBaseUrl}${SIMULATOR_API_PATH}`;
  const client = new TwilioClient(
    { apiBase, accountSid: telephony.accountSid, authToken: telephony.authToken },
    transport,
  );
  return {
    async dial(call) {
      const paths = callbackPaths(call.callId);
      try {
        const { sid } = await client.createCall({
          to: call.to,
          from: call.from,
          streamUrl: webSocketUrlOf(call.publicBaseUrl + paths.media),
          streamParams: { token: call.streamToken },
          statusCallbackUrl: call.publicBaseUrl + paths.status,
          amdCallbackUrl: call.publicBaseUrl + paths.amd,
          timeoutSec: limits.ringTimeoutSec,
          // The carrier's own hard stop; the engine's watchdog applies the (tighter) granted length.
          timeLimitSec: limits.maxCallSec,
          // A message needs the greeting's end; otherwise the earliest machine verdict.
          machineDetection:
            voicemailOf(call).action === "leave_message" ? "DetectMessageEnd" : "Enable",
        });
        return { ok: true, providerCallId: sid };
      } catch (e) {
        const retryable = e instanceof CarrierError && e.retryable;
        return { ok: false, retryable, detail: String(e) };
      }
    },
    hangUp: (sid, answered) => client.hangup(sid, answered),
    transfer(call, sid, dial) {
      const paths = callbackPaths(call.callId);
      return client.updateTwiml(
        sid,
        transferTwiml({
          ...dial,
          actionUrl: call.publicBaseUrl + paths.dial,
          whisperUrl: call.publicBaseUrl + paths.whisper,
        }),
      );
    },
  };
}
