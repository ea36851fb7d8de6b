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
