/**
 * Exact per-minute limiting over a sliding 60-second window, counted in one-second buckets (at
 * most 60 small entries to persist, whatever the limit). Pure: the RateLimiter Durable Object owns
 * one window per API key, and being single-threaded makes every decision exact.
 */
export const WINDOW_SEC = 60;

/** [second since epoch, placements in that second], oldest first. */
export type Buckets = [number, number][];

export type TakeResult = { ok: true } | { ok: false; retryAfterSec: number };

/** Returns the decision and the buckets to keep. */
export function take(
  buckets: Buckets,
  limit: number,
  nowMs: number,
): { result: TakeResult; buckets: Buckets } {
  const second = Math.floor(nowMs / 1000);
  const live = buckets.filter(([s]) => s > second - WINDOW_SEC);
  const used = live.reduce((n, [, c]) => n + c, 0);
  if (used >= limit) {
    // Wait until enough of the oldest placements have left the window to make room for one.
    let freed = 0;
    let retryAt = second + WINDOW_SEC;
    for (const [s, c] of live) {
      freed += c;
      if (used - freed < limit) {
        retryAt = s + WINDOW_SEC;
        break;
      }
    }
    return { result: { ok: false, retryAfterSec: Math.max(1, retryAt - second) }, buckets: live };
  }
  const last = live[live.length - 1];
  if (last && last[0] === second) last[1] += 1;
  else live.push([second, 1]);
  return { result: { ok: true }, buckets: live };
}
