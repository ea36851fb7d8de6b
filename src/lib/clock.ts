/**
 * The clock the call sessions read. Tests move time by replacing `now` on this object (a spy),
 * never by writing a session's state.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
