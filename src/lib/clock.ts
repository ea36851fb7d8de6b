/**
 * The clock the call sessions read. Tests move time by replacing `now` on this object (a spy),
 * never by writing a session's state.
 */
import type { Clock } from "../ports";

export const systemClock: Clock = { now: () => Date.now() };
