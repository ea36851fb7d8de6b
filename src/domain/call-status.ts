/** The call status lifecycle of the reference. */
export const CALL_STATUSES = [
  "queued",
  "dialing",
  "in_progress",
  "completed",
  "no_answer",
  "voicemail",
  "declined",
  "failed",
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  "completed",
  "no_answer",
  "voicemail",
  "declined",
  "failed",
]);

/** Statuses of a call that has not ended yet: it holds minutes against the account's cap. */
export const LIVE_STATUSES: readonly CallStatus[] = CALL_STATUSES.filter(
  (s) => !TERMINAL_STATUSES.has(s),
);
