/**
 * The clock the call sessions read. Tests move time by replacing `now` on this object (a spy),
 * never by writing a session's state.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The clock placement reads (the per-number frequency window, a call's createdAt): its own object,
 * so a test can move placement's time without moving the call sessions'.
 */
export const placementClock: Clock = { now: () => Date.now() };
