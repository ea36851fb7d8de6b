/**
 * Calling hours: may a call reach this destination now, and if not, when does the next window
 * open? Pure: the instant is given; local times come from the IANA zones through Intl.
 *
 * A destination may lie in several zones (an area code across a zone line, a mobile number);
 * the call is allowed only when every zone's local time is inside every rule that applies, and
 * the next window is the earliest instant allowed in all of them.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { NANP_AREA_CODES } from "./nanp-area-codes.data";

export const CALLING_POLICIES = ["standard", "strict", "off"] as const;
export type CallingPolicy = (typeof CALLING_POLICIES)[number];

/** Local minutes since midnight, [from, to): "8 am to 9 pm" is { from: 480, to: 1260 }. */
type Window = { from: number; to: number };
/** Sunday first, as Date.getDay(); null: no calls that day. */
type Week = readonly [Window | null, ...(Window | null)[]];
export type HoursRule = {
  jurisdiction: string;
  week: Week;
  /** Local dates (YYYY-MM-DD) without calls. */
  noCallDates?: readonly string[];
};

const h = (from: number, to: number): Window => ({ from: from * 60, to: to * 60 });
const every = (w: Window): Week => [w, w, w, w, w, w, w];
/** Monday to Friday, Saturday, Sunday. */
const week = (weekday: Window | null, saturday: Window | null, sunday: Window | null): Week => [
  sunday,
  weekday,
  weekday,
  weekday,
  weekday,
  weekday,
  saturday,
];

/** `standard`: 8:00 to 21:00 local, every day, everywhere. */
export const STANDARD_RULE: HoursRule = { jurisdiction: "standard", week: every(h(8, 21)) };

/**
 * Australia's national public holidays, 2026 and 2027, with the weekday substitutes most states
 * observe when one falls on a weekend (a no-call day more is the safe side). Update every year.
 */
const AU_NATIONAL_HOLIDAYS = [
  // 2026: New Year's Day, Australia Day, Good Friday, Easter Monday, Anzac Day, Christmas Day,
  // Boxing Day (Saturday; observed Monday 28th).
  "2026-01-01",
  "2026-01-26",
  "2026-04-03",
  "2026-04-06",
  "2026-04-25",
  "2026-12-25",
  "2026-12-26",
  "2026-12-28",
  // 2027: Anzac Day on a Sunday (observed Monday 26th in some states), Christmas on a Saturday
  // (observed Monday 27th), Boxing Day on a Sunday (observed Tuesday 28th).
  "2027-01-01",
  "2027-01-26",
  "2027-03-26",
  "2027-03-29",
  "2027-04-25",
  "2027-04-26",
  "2027-12-25",
  "2027-12-26",
  "2027-12-27",
  "2027-12-28",
] as const;

/**
 * `strict`: each jurisdiction's own hours for telemarketing calls, keyed by region (and US state).
 * Every applicable row must allow the call: a US number is checked against the federal row and
 * its state's row.
 */
export const STRICT_RULES: Readonly<Record<string, HoursRule>> = {
  // 47 CFR § 64.1200(c)(1) (TCPA rules): no telephone solicitation before 8 a.m. or after 9 p.m.
  // local time at the called party's location.
  US: { jurisdiction: "US", week: every(h(8, 21)) },
  // Fla. Stat. § 501.616(6)(a) (as amended by SB 1120, 2021): not before 8 a.m. or after 8 p.m.
  "US-FL": { jurisdiction: "US-FL", week: every(h(8, 20)) },
  // Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act of 2022): not before 8 a.m. or
  // after 8 p.m.
  "US-OK": { jurisdiction: "US-OK", week: every(h(8, 20)) },
  // Md. Code, Com. Law § 14-4502 (Stop the Spam Calls Act of 2023): not before 8 a.m. or after
  // 8 p.m.
  "US-MD": { jurisdiction: "US-MD", week: every(h(8, 20)) },
  // Tex. Bus. & Com. Code § 301.051: not before 9 a.m. or after 9 p.m. on a weekday or Saturday,
  // nor before noon or after 9 p.m. on a Sunday.
  "US-TX": { jurisdiction: "US-TX", week: week(h(9, 21), h(9, 21), h(12, 21)) },
  // CRTC Unsolicited Telecommunications Rules, Part III (Telemarketing Rules): 9:00 a.m. to
  // 9:30 p.m. on weekdays, 10:00 a.m. to 6:00 p.m. on weekends (crtc.gc.ca, "Calling curfews").
  CA: { jurisdiction: "CA", week: week({ from: 540, to: 1290 }, h(10, 18), h(10, 18)) },
  // Telecommunications (Telemarketing and Research Calls) Industry Standard 2017 (ACMA), calling
  // times for telemarketing calls: weekdays 9 a.m. to 8 p.m., Saturday 9 a.m. to 5 p.m., not on
  // Sunday or a national public holiday.
  AU: {
    jurisdiction: "AU",
    week: week(h(9, 20), h(9, 17), null),
    noCallDates: AU_NATIONAL_HOLIDAYS,
  },
  // United Kingdom: no statute sets calling hours (PECR regulates consent, not time). Our choice:
  // 8 a.m. to 9 p.m. Monday to Saturday, 9 a.m. to 9 p.m. Sunday, the hours outside which the
  // FCA's consumer-credit rules (CONC 7.9.4 R) count contact as at an unreasonable time.
  GB: { jurisdiction: "GB", week: week(h(8, 21), h(8, 21), h(9, 21)) },
  // New Zealand: no statutory calling hours found. Our choice: 9 a.m. to 8 p.m. Monday to
  // Saturday, no calls on Sunday.
  NZ: { jurisdiction: "NZ", week: week(h(9, 20), h(9, 20), null) },
  // Israel: no statutory calling hours found. Our choice: Sunday to Thursday 9 a.m. to 8 p.m.,
  // Friday 9 a.m. to 1 p.m. (before Shabbat), no calls on Saturday.
  IL: {
    jurisdiction: "IL",
    week: [h(9, 20), h(9, 20), h(9, 20), h(9, 20), h(9, 20), h(9, 13), null],
  },
};

/** Where a number may be: its region, possible US states or provinces, and its time zones. */
export type Place = { region: string; subdivisions: readonly string[] | null; zones: string[] };

const AU_ALL = [
  "Australia/Perth",
  "Australia/Eucla",
  "Australia/Darwin",
  "Australia/Adelaide",
  "Australia/Brisbane",
  "Australia/Sydney",
  "Australia/Lord_Howe",
];
/**
 * Australian geographic numbers by their area code (the first national digit); mobile and
 * non-geographic numbers may be anywhere. Source: ACMA Numbering Plan 2015, geographic area
 * codes 02 (NSW, ACT), 03 (VIC, TAS), 07 (QLD), 08 (SA, WA, NT; Broken Hill NSW).
 */
const AU_BY_AREA: Readonly<Record<string, string[]>> = {
  "2": ["Australia/Sydney", "Australia/Lord_Howe"],
  "3": ["Australia/Melbourne", "Australia/Hobart"],
  "7": ["Australia/Brisbane", "Australia/Sydney"],
  "8": ["Australia/Adelaide", "Australia/Broken_Hill", "Australia/Darwin", "Australia/Perth"],
};
const COUNTRY_ZONES: Readonly<Record<string, string[]>> = {
  GB: ["Europe/London"],
  IL: ["Asia/Jerusalem"],
  NZ: ["Pacific/Auckland", "Pacific/Chatham"],
};
const US_ZONES = [
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Phoenix",
  "America/Los_Angeles",
  "America/Anchorage",
  "Pacific/Honolulu",
];
const CA_ZONES = [
  "America/St_Johns",
  "America/Halifax",
  "America/Toronto",
  "America/Winnipeg",
  "America/Regina",
  "America/Edmonton",
  "America/Vancouver",
];

/** The places an E.164 number of an allowed region may be in. */
export function placeOf(e164: string, region: string): Place {
  const national = parsePhoneNumberFromString(e164)?.nationalNumber ?? "";
  if (region === "US" || region === "CA") {
    const row = NANP_AREA_CODES[national.slice(0, 3)];
    if (row) return { region, subdivisions: row[0].split(" "), zones: row[1].split(" ") };
    return { region, subdivisions: null, zones: region === "US" ? US_ZONES : CA_ZONES };
  }
  if (region === "AU") {
    const byArea = national.length === 9 ? AU_BY_AREA[national[0] ?? ""] : undefined;
    return { region, subdivisions: null, zones: byArea ?? AU_ALL };
  }
  return { region, subdivisions: null, zones: COUNTRY_ZONES[region] ?? [] };
}

/** The rules that apply to a place under a policy (none: always allowed). */
export function rulesFor(policy: CallingPolicy, place: Place): HoursRule[] {
  if (policy === "off") return [];
  if (policy === "standard") return [STANDARD_RULE];
  const national = STRICT_RULES[place.region];
  const rules = national ? [national] : [STANDARD_RULE];
  if (place.region === "US") {
    // An unknown area code may be in any state: every state's row applies.
    const states =
      place.subdivisions ??
      Object.keys(STRICT_RULES)
        .filter((k) => k.startsWith("US-"))
        .map((k) => k.slice(3));
    for (const s of states) {
      const row = STRICT_RULES[`US-${s}`];
      if (row) rules.push(row);
    }
  }
  return rules;
}

export type HoursDecision = { allowed: true } | { allowed: false; nextWindowAt: number };

/** Decides for an instant (ms since the epoch). */
export function checkCallingHours(policy: CallingPolicy, place: Place, now: number): HoursDecision {
  const rules = rulesFor(policy, place);
  if (rules.length === 0 || place.zones.length === 0) return { allowed: true };
  if (allowedAt(rules, place.zones, now)) return { allowed: true };
  return { allowed: false, nextWindowAt: nextWindow(rules, place.zones, now) };
}

/** How far ahead we look; the longest gap in the table (a long weekend) is a few days. */
const HORIZON_DAYS = 14;

function allowedAt(rules: HoursRule[], zones: string[], at: number): boolean {
  return zones.every((zone) => {
    const t = localTime(zone, at);
    return rules.every((rule) => {
      if (rule.noCallDates?.includes(t.date)) return false;
      const w = rule.week[t.weekday];
      return w != null && t.minutes >= w.from && t.minutes < w.to;
    });
  });
}

/**
 * The earliest instant after `now` allowed everywhere. A window can only open when some rule's
 * window opens in some zone, so those openings over the horizon are the only candidates.
 */
function nextWindow(rules: HoursRule[], zones: string[], now: number): number {
  const candidates = new Set<number>();
  for (const zone of zones) {
    const today = localTime(zone, now);
    for (let d = 0; d <= HORIZON_DAYS; d++) {
      const date = addDays(today.date, d);
      const weekday = (today.weekday + d) % 7;
      for (const rule of rules) {
        const w = rule.week[weekday];
        if (w) candidates.add(instantOf(zone, date, w.from));
      }
    }
  }
  const sorted = [...candidates].filter((t) => t > now).sort((a, b) => a - b);
  const found = sorted.find((t) => allowedAt(rules, zones, t));
  if (found === undefined) throw new Error("no calling window within the horizon");
  return found;
}

type LocalTime = { date: string; weekday: number; minutes: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function localTime(zone: string, at: number): LocalTime {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(at)) p[part.type] = part.value;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: WEEKDAYS.indexOf(p.weekday ?? ""),
    minutes: Number(p.hour) * 60 + Number(p.minute),
  };
}

function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * The instant when the wall clock in `zone` reads `date` + `minutes`; a wall time skipped by a
 * DST change moves forward by the gap (2:30 on a spring-forward night is 3:30), as Temporal's
 * "compatible" disambiguation does.
 */
export function instantOf(zone: string, date: string, minutes: number): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  const offsetAt = (t: number) => {
    const l = localTime(zone, t);
    return Date.parse(`${l.date}T00:00:00Z`) + l.minutes * 60_000 - (t - (t % 60_000));
  };
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  const back = localTime(zone, guess);
  const reached = Date.parse(`${back.date}T00:00:00Z`) + back.minutes * 60_000;
  // In a gap the guess reads an earlier wall time: move forward by the difference.
  if (reached < wall) guess += wall - reached;
  return guess;
}
