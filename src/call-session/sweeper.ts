/**
 * The sweeper (a cron trigger): starts any call still `queued` in D1 well after its placement,
 * whose background start was lost (an isolate that died right after answering 202). Starting is
 * idempotent, so a call that is merely slow to dial is left as it is.
 */
import { findStrandedCalls, placedCallOf } from "../db/calls.queries";
import { makeDb } from "../db/client";
import { readConfig } from "../env";
import { durableCallEngine } from "../session-client/engine-client";

/** A placement normally starts its call within milliseconds. */
const STRANDED_AFTER_MS = 15_000;
const MAX_PER_SWEEP = 100;

export async function sweepStrandedCalls(env: Env, now = Date.now()): Promise<number> {
  const config = readConfig(env);
  if (!config.publicBaseUrl) {
    console.warn("sweeper: PUBLIC_BASE_URL is not set, stranded calls cannot be started");
    return 0;
  }
  const rows = await findStrandedCalls(
    makeDb(env.DB),
    new Date(now - STRANDED_AFTER_MS).toISOString(),
    MAX_PER_SWEEP,
  );
  const engine = durableCallEngine(env.CALL_SESSION, config.publicBaseUrl);
  const results = await Promise.allSettled(rows.map((row) => engine.start(placedCallOf(row))));
  const failed = results.filter((r) => r.status === "rejected").length;
  if (rows.length > 0)
    console.info("sweeper started stranded calls", { found: rows.length, failed });
  return rows.length - failed;
}
