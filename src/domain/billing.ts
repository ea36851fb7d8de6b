/**
 * Monthly billing periods counted from the account's anchor. Pure. A period that starts on the
 * 31st starts on the last day of shorter months instead.
 */
export function periodStart(anchorIso: string, now: Date): Date {
  const anchor = new Date(anchorIso);
  if (anchor.getTime() > now.getTime()) return anchor;
  let months =
    (now.getUTCFullYear() - anchor.getUTCFullYear()) * 12 +
    now.getUTCMonth() -
    anchor.getUTCMonth();
  let start = addMonths(anchor, months);
  while (start.getTime() > now.getTime()) {
    months -= 1;
    start = addMonths(anchor, months);
  }
  return start;
}

function addMonths(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(anchor.getUTCDate(), lastDay),
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

/** Answered seconds are billed in whole minutes per call, rounded up. */
export function billedMinutes(durationSec: number): number {
  return Math.ceil(Math.max(0, durationSec) / 60);
}

/**
 * What a call holds against the minute cap from placement until it is answered (when the grant
 * for its length replaces it) or ends unanswered (when it is released): one minute, because an
 * answered call is billed at least one minute. So an admitted call can always be carried for its
 * first minute, and a cap of N minutes admits N calls at once, not more.
 */
export const ADMISSION_HOLD_SEC = 60;

/**
 * Whether one more call fits the cap: the minutes answered this period, plus the seconds live
 * calls hold, plus the new call's hold. `admittedCallSql` in src/db/calls.queries.ts is this rule
 * in SQL (run in the insert itself, so concurrent placements cannot both take the last minute).
 */
export function admits(capMinutes: number, usedMinutes: number, heldSec: number): boolean {
  return usedMinutes * 60 + heldSec + ADMISSION_HOLD_SEC <= capMinutes * 60;
}
