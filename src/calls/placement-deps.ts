/** Wires placeCall to this deployment's storage, rate limiter and call engine (REST and MCP share it). */
import { durableCallEngine } from "../call-session/engine-client";
import type { Db } from "../db/client";
import type { Config } from "../env";
import { takeRateSlot } from "../limits/rate-limiter.do";
import type { PlaceCallDeps } from "./place-call";

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
    // The call's row is committed before this runs; the engine starts after the 202 is sent.
    // If this start is lost, the sweeper starts the call from its row.
    dispatch: async (call) => {
      request.waitUntil(
        engine.start(call).catch((e) =>
          console.error("starting the call failed; the sweeper will retry", {
            callId: call.callId,
            error: String(e),
          }),
        ),
      );
    },
  };
}
