/**
 * Waiting on a condition instead of sleeping: a test goes on as soon as what it waits for has
 * happened, and a timeout says what it saw last.
 */

export type WaitOptions = {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Time between probes (default 5 ms). */
  intervalMs?: number;
  /** Added to the timeout error: what the probes saw. */
  describe?: () => string;
};

/**
 * Calls `probe` until it returns something other than `undefined`, `null` or `false`, and resolves
 * with that; throws once `timeoutMs` has passed without it.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 5000, intervalMs = 5, describe }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: not met after ${timeoutMs} ms${describe ? `: ${describe()}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
