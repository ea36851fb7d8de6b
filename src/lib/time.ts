/** Timestamps are ISO 8601 UTC with milliseconds everywhere (API, D1, logs). */
export function isoNow(now: number = Date.now()): string {
  return new Date(now).toISOString();
}
