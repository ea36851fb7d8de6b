/** Wires placeCall to this deployment's storage, rate limiter and call engine (REST and MCP share it). */
import { startCall } from "../call-session/dispatch";
import type { Db } from "../db/client";
import type { Config } from "../env";
import { takeRateSlot } from "../limits/rate-limiter.do";
import type { PlaceCallDeps } from "./place-call";

export function placementDeps(
  env: Env,
  config: Config,
  db: Db,
  requestOrigin: string,
): PlaceCallDeps {
  const publicBaseUrl = config.publicBaseUrl ?? requestOrigin;
  return {
    db,
    config,
    takeRateSlot: (keyId, limit) => takeRateSlot(env.RATE_LIMITER, keyId, limit),
    dispatch: (call) => startCall(env, call, publicBaseUrl),
  };
}
