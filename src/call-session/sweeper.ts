/**
 * The sweeper (a cron trigger), the backstop behind each call's own alarm:
 * - it starts any call still `queued` in D1 well after its placement, whose background start was
 *   lost (an isolate that died right after answering 202);
 * - it wakes the session of any call still `dialing` or `in_progress` in D1 past the longest a call
 *   can last (dial, ring, length, post-call work), so a session whose D1 write or alarm was lost
 *   in a crash finishes and writes its terminal record.
 * Both are idempotent, so a call that is merely slow is left as it is.
 */
import { findOverdueCalls, findStrandedCalls, placedCallOf } from "../db/calls.queries";
import { makeDb } from "../db/client";
import { readConfig } from "../env";
import { durableCallEngine } from "../session-client/engine-client";
import { engineSettings } from "../wiring";

/** A placement normally starts its call within milliseconds. */
const STRANDED_AFTER_MS = 15_000;
/** Slack past a call's longest possible life before the sweeper steps in. */
const OVERDUE_SLACK_MS = 60_000;
const MAX_PER_SWEEP = 100;

export async function sweepStrandedCalls(env: Env, now = Date.now()): Promise<number> {
  const config = readConfig(env);
  if (!config.publicBaseUrl) {
    console.warn("sweeper: PUBLIC_BASE_URL is not set, stranded calls cannot be started");
    return 0;
  }
  const db = makeDb(env.DB);
  const { limits, maxCallMs, postCallBoundMs } = engineSettings(config);
  const longestLife = limits.dialMs + limits.ringMs + maxCallMs + postCallBoundMs;
  const [stranded, overdue] = await Promise.all([
    findStrandedCalls(db, new Date(now - STRANDED_AFTER_MS).toISOString(), MAX_PER_SWEEP),
    findOverdueCalls(
      db,
      new Date(now - longestLife - OVERDUE_SLACK_MS).toISOString(),
      MAX_PER_SWEEP,
    ),
  ]);
  const engine = durableCallEngine(env.CALL_SESSION, config.publicBaseUrl);
  const results = await Promise.allSettled([
    ...stranded.map((row) => engine.start(placedCallOf(row))),
    ...overdue.map((row) => engine.wake(placedCallOf(row))),
  ]);
  const failed = results.filter((r) => r.status === "rejected").length;
  if (results.length > 0)
    console.info("sweeper", { stranded: stranded.length, overdue: overdue.length, failed });
  return results.length - failed;
}
