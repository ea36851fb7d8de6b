/**
 * Concurrent waits per API key (MCP's wait_for_call), counted as leases that expire on their own:
 * a wait whose Worker died without giving its place back stops counting at its deadline. Pure: the
 * RateLimiter Durable Object keeps one set of leases per key, and being single-threaded makes the
 * count exact.
 */

/** lease id → when it expires (ms since epoch). */
export type Leases = Record<string, number>;

export type EnterResult = { ok: true; lease: string } | { ok: false; retryAfterSec: number };

/** Leases still running at `nowMs`. */
export function liveLeases(leases: Leases, nowMs: number): Leases {
  return Object.fromEntries(Object.entries(leases).filter(([, until]) => until > nowMs));
}

/**
 * Takes a place for a wait until `untilMs` if fewer than `limit` are running. Refused, the hint is
 * when the first running wait reaches its deadline (it usually ends sooner, when its call does).
 */
export function enter(
  leases: Leases,
  limit: number,
  nowMs: number,
  lease: { id: string; untilMs: number },
): { result: EnterResult; leases: Leases } {
  const live = liveLeases(leases, nowMs);
  const ends = Object.values(live);
  if (ends.length >= limit) {
    const first = Math.min(...ends);
    return {
      result: { ok: false, retryAfterSec: Math.max(1, Math.ceil((first - nowMs) / 1000)) },
      leases: live,
    };
  }
  return { result: { ok: true, lease: lease.id }, leases: { ...live, [lease.id]: lease.untilMs } };
}

/** Polling a waited-for call: every 500 ms at first, then 1.5× longer each time, up to 2 s. */
export function pollDelayMs(poll: number): number {
  return Math.min(2000, Math.round(500 * 1.5 ** poll));
}
