/** What the engine's unit tests share: a fixed clock origin, the engine's settings, a call's params. */
import type { EngineSettings } from "../../src/domain/call-engine";
import type { CallParams } from "../../src/domain/call-params";

export const T0 = 1_800_000_000_000;

export const SETTINGS: EngineSettings = {
  limits: { dialMs: 60_000, ringMs: 60_000, mediaConnectMs: 15_000, endGraceMs: 10_000 },
  postCallBoundMs: 90_000,
  dialRetryBaseMs: 1000,
  maxCallMs: 600_000,
};

/** A call placed at T0 to an ordinary number, changed by `overrides`. */
export function callParams(overrides: Partial<CallParams> = {}): CallParams {
  return {
    callId: "6f1c2a3b-0000-4000-8000-000000000001",
    accountId: "acct_1",
    to: "+14155550123",
    from: "+12025550143",
    objective: "Book a table.",
    context: null,
    fields: [],
    voice: "Aoede",
    language: "en-US",
    languageSource: "inferred",
    webhookUrl: "https://hooks.example.com/calls",
    createdAt: new Date(T0).toISOString(),
    maxHoldSec: 900,
    transferTo: null,
    transferWhen: null,
    publicBaseUrl: "https://api.test",
    streamToken: "secret",
    ...overrides,
  };
}
