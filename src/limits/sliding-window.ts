/**
 * Exact per-minute limiting over a sliding 60 s window. Pure: the RateLimiter Durable Object
 * owns one window per API key, and being single-threaded makes every decision exact.
 */
export const WINDOW_MS = 60_000;

export type TakeResult = { ok: true } | { ok: false; retryAfterSec: number };

/** Returns the decision and the hits to keep (ascending times within the window). */
export function take(
  hits: readonly number[],
  limit: number,
  now: number,
): { result: TakeResult; hits: number[] } {
  const live = hits.filter((t) => t > now - WINDOW_MS);
  if (live.length >= limit) {
    // The request can succeed once enough of the oldest hits leave the window.
    const freesAt = (live[live.length - limit] ?? now) + WINDOW_MS;
    return {
      result: { ok: false, retryAfterSec: Math.max(1, Math.ceil((freesAt - now) / 1000)) },
      hits: live,
    };
  }
  live.push(now);
  return { result: { ok: true }, hits: live };
}
