/**
 * When to try a failed delivery again. Pure. 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: the first
 * retry comes within seconds, the last attempt about 27.6 h after the first (≥ 24 h), and every
 * hop stays under the Queues per-message delay limit of 12 h. ±10 % jitter spreads a receiver's
 * recovery load. A receiver's Retry-After may only lengthen a step (nextDeliveryDelaySec).
 */
export const RETRY_DELAYS_SEC = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;

/** Queues caps a message's delay at 12 hours. */
const MAX_QUEUE_DELAY_SEC = 43_200;

/** Delay before attempt `attempt + 1`, given that `attempt` (1-based) just failed; undefined when exhausted. */
export function retryDelaySec(
  attempt: number,
  random: () => number = Math.random,
): number | undefined {
  const base = RETRY_DELAYS_SEC[attempt - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (0.9 + 0.2 * random()));
  return Math.min(MAX_QUEUE_DELAY_SEC, Math.max(1, jittered));
}

/**
 * Delay before attempt `attempt + 1` given the receiver's Retry-After (already in seconds), if it
 * sent one: a hint may lengthen the scheduled wait, never shorten it, so a receiver answering
 * `Retry-After: 1` cannot spend the ≥ 24 h schedule in seconds. Undefined when the schedule is
 * exhausted: a hint never adds attempts.
 */
export function nextDeliveryDelaySec(
  attempt: number,
  hintSec: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  const scheduled = retryDelaySec(attempt, random);
  if (scheduled === undefined) return undefined;
  return Math.min(MAX_QUEUE_DELAY_SEC, Math.max(scheduled, hintSec ?? 0));
}

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds, or an HTTP date (a date already
 * past means no wait). Null when there is no header or it is neither.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed)
    ? Number(trimmed) * 1000
    : Math.max(0, Date.parse(trimmed) - nowMs);
  return Number.isFinite(ms) ? ms : null;
}

/** A receiver's Retry-After (seconds or HTTP date) as a delay, bounded to what Queues accepts. */
export function retryAfterSec(header: string | null, now: number): number | undefined {
  const ms = retryAfterMs(header, now);
  if (ms === null) return undefined;
  return Math.min(MAX_QUEUE_DELAY_SEC, Math.max(1, Math.ceil(ms / 1000)));
}
