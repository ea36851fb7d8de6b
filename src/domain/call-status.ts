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

export function isCallStatus(value: string): value is CallStatus {
  return (CALL_STATUSES as readonly string[]).includes(value);
}
