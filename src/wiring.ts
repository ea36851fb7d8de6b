/**
 * The composition root: configuration → adapters → what the entry points use. The only module
 * that knows which adapter implements which port.
 */
import { analyzerFor } from "./analysis/analyzer";
import type { PlaceCallDeps } from "./app/place-call";
import { d1CallRecordStore } from "./db/call-record-store";
import type { Db } from "./db/client";
import { describeError } from "./db/client";
import type { EngineSettings } from "./domain/call-engine";
import { type Config, readConfig } from "./env";
import { systemClock } from "./lib/clock";
import { loopbackTransport, type SelfEntry } from "./lib/loopback";
import { takeRateSlot } from "./limits/rate-limiter.do";
import type { SessionPorts } from "./ports";
import { completeSavedRecording, Recorder } from "./recording/r2-recorder";
import { durableCallEngine } from "./session-client/engine-client";
import { carrierFor } from "./telephony/provider";
import { twilioMediaCodec } from "./telephony/twilio/media-codec";
import { connectVoice } from "./voice/connect";

/** What placing a call needs: storage, the key's rate limiter and the call engine (REST and MCP share it). */
export type RequestContext = {
  /** Origin of the placing request: the public base URL when PUBLIC_BASE_URL is not set. */
  requestOrigin: string;
  waitUntil: (promise: Promise<unknown>) => void;
};

export function placementDeps(
  env: Env,
  config: Config,
  db: Db,
  request: RequestContext,
): PlaceCallDeps {
  const engine = durableCallEngine(env.CALL_SESSION, config.publicBaseUrl ?? request.requestOrigin);
  return {
    db,
    config,
    takeRateSlot: (keyId, limit) => takeRateSlot(env.RATE_LIMITER, keyId, limit),
    // Read through the object so a test's spy on systemClock.now moves placement time too.
    now: () => systemClock.now(),
    // The call's row is committed before this runs; the engine starts after the 202 is sent.
    // If this start is lost, the sweeper starts the call from its row.
    dispatch: async (call) => {
      request.waitUntil(
        engine.start(call).catch((e) =>
          console.error("starting the call failed; the sweeper will retry", {
            callId: call.callId,
            error: describeError(e),
          }),
        ),
      );
    },
  };
}

/** The session engine's limits from the configuration. */
export function engineSettings(config: Config): EngineSettings {
  return {
    limits: {
      // Long enough for every retry at call creation: base × (1 + 2 + 4 + …).
      dialMs: Math.max(60_000, config.dialRetryBaseMs * 2 ** 5),
      // Twilio reports no-answer itself after Timeout (plus up to 5 s); this is the backstop.
      ringMs: (config.ringTimeoutSec + 30) * 1000,
      mediaConnectMs: 15_000,
      endGraceMs: 10_000,
    },
    postCallBoundMs: config.postCallBoundMs,
    dialRetryBaseMs: config.dialRetryBaseMs,
    maxCallMs: config.maxCallSec * 1000,
  };
}

const recordingKey = (call: { accountId: string; callId: string }) =>
  `recordings/${call.accountId}/${call.callId}.wav`;

/** The ports of one CallSession object. */
export function sessionPorts(env: Env, self: SelfEntry): SessionPorts {
  const config = readConfig(env);
  const transport = (call: { publicBaseUrl: string }) =>
    loopbackTransport(self, new URL(call.publicBaseUrl).origin);
  return {
    clock: systemClock,
    carrier: (call) =>
      carrierFor(config.telephony, call.publicBaseUrl, transport(call), {
        ringTimeoutSec: config.ringTimeoutSec,
        maxCallSec: config.maxCallSec,
      }),
    codec: twilioMediaCodec,
    store: d1CallRecordStore(env.DB, env.WEBHOOKS),
    recording: (call, onSaved) => new Recorder(env.RECORDINGS, recordingKey(call), onSaved),
    completeSavedRecording: (call, saved) =>
      completeSavedRecording(env.RECORDINGS, recordingKey(call), saved),
    voice: (call) => ({
      connect: (session, events) =>
        connectVoice(config.voice, call.publicBaseUrl, transport(call), session, events),
    }),
    analyzer: (call) => analyzerFor(config.analysis, transport(call)),
  };
}
