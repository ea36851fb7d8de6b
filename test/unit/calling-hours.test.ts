/** Calling hours: the table row by row, at its edges, across DST changes and zone lines. */
import { describe, expect, it } from "vitest";
import {
  type CallingPolicy,
  checkCallingHours,
  instantOf,
  placeOf,
  STRICT_RULES,
} from "../../src/domain/calling-hours";

const at = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

/** The decision for a number at an instant: "ok", or the next window as ISO. */
function decide(policy: CallingPolicy, to: string, region: string, when: string) {
  const d = checkCallingHours(policy, placeOf(to, region), at(when));
  return d.allowed ? "ok" : iso(d.nextWindowAt);
}

describe("placeOf", () => {
  it.each([
    ["+13055550123", "US", ["FL"], ["America/New_York"]],
    ["+12125550123", "US", ["NY"], ["America/New_York"]],
    ["+18505550123", "US", ["FL"], ["America/Chicago", "America/New_York"]],
    ["+14165550123", "CA", ["ON"], ["America/Toronto"]],
    ["+61212345678", "AU", null, ["Australia/Sydney", "Australia/Lord_Howe"]],
    ["+447911123456", "GB", null, ["Europe/London"]],
    ["+972501234567", "IL", null, ["Asia/Jerusalem"]],
  ])("%s is in %s %j %j", (to, region, subs, zones) => {
    expect(placeOf(to, region)).toEqual({ region, subdivisions: subs, zones });
  });

  it("an Australian mobile may be in any mainland zone", () => {
    expect(placeOf("+61412345678", "AU").zones).toContain("Australia/Perth");
  });
});

describe("standard: 8:00 to 21:00 local, every day", () => {
  it.each([
    // Los Angeles in December is UTC-8.
    ["07:59 local", "2026-12-05T15:59:00Z", "2026-12-05T16:00:00.000Z"],
    ["08:00 local", "2026-12-05T16:00:00Z", "ok"],
    ["20:59 local", "2026-12-06T04:59:00Z", "ok"],
    ["21:00 local", "2026-12-06T05:00:00Z", "2026-12-06T16:00:00.000Z"],
    ["22:00 local", "2026-12-06T06:00:00Z", "2026-12-06T16:00:00.000Z"],
  ])("%s", (_what, when, expected) => {
    expect(decide("standard", "+14155550123", "US", when)).toBe(expected);
  });

  it("off allows any time", () => {
    expect(decide("off", "+14155550123", "US", "2026-12-06T11:00:00Z")).toBe("ok");
  });
});

describe("strict, row by row", () => {
  it.each([
    // US federal (New York, UTC-5 in December): 8 to 21.
    ["US federal 20:30 NY", "+12125550123", "US", "2026-12-04T01:30:00Z", "ok"],
    [
      "US federal 21:00 NY",
      "+12125550123",
      "US",
      "2026-12-04T02:00:00Z",
      "2026-12-04T13:00:00.000Z",
    ],
    [
      "US federal 07:59 NY",
      "+12125550123",
      "US",
      "2026-12-04T12:59:00Z",
      "2026-12-04T13:00:00.000Z",
    ],
    // Florida: 8 to 20.
    ["FL 19:59 Miami", "+13055550123", "US", "2026-12-04T00:59:00Z", "ok"],
    ["FL 20:00 Miami", "+13055550123", "US", "2026-12-04T01:00:00Z", "2026-12-04T13:00:00.000Z"],
    // Oklahoma (Central, UTC-6): 8 to 20.
    ["OK 20:00 Tulsa", "+19185550123", "US", "2026-12-04T02:00:00Z", "2026-12-04T14:00:00.000Z"],
    // Maryland: 8 to 20.
    [
      "MD 20:00 Baltimore",
      "+14105550123",
      "US",
      "2026-12-04T01:00:00Z",
      "2026-12-04T13:00:00.000Z",
    ],
    ["MD 19:00 Baltimore", "+14105550123", "US", "2026-12-04T00:00:00Z", "ok"],
    // Texas (Austin, UTC-6): weekdays and Saturday 9 to 21; Sunday 12 to 21.
    ["TX Fri 08:30", "+15125550123", "US", "2026-12-04T14:30:00Z", "2026-12-04T15:00:00.000Z"],
    ["TX Sat 09:00", "+15125550123", "US", "2026-12-05T15:00:00Z", "ok"],
    ["TX Sun 11:59", "+15125550123", "US", "2026-12-06T17:59:00Z", "2026-12-06T18:00:00.000Z"],
    ["TX Sun 12:00", "+15125550123", "US", "2026-12-06T18:00:00Z", "ok"],
    // Canada (Toronto, UTC-5): weekdays 9 to 21:30; weekends 10 to 18.
    ["CA Fri 21:29", "+14165550123", "CA", "2026-12-05T02:29:00Z", "ok"],
    ["CA Fri 21:30", "+14165550123", "CA", "2026-12-05T02:30:00Z", "2026-12-05T15:00:00.000Z"],
    ["CA Sat 18:00", "+14165550123", "CA", "2026-12-05T23:00:00Z", "2026-12-06T15:00:00.000Z"],
    ["CA Sun 18:00", "+14165550123", "CA", "2026-12-06T23:00:00Z", "2026-12-07T14:00:00.000Z"],
    // Australia (Sydney landline, UTC+11 in December; Lord Howe UTC+11 too): weekdays 9 to 20,
    // Saturday 9 to 17, no Sunday, no national public holiday.
    ["AU Fri 19:59", "+61212345678", "AU", "2026-12-04T08:59:00Z", "ok"],
    [
      "AU Sat 17:00 → Mon",
      "+61212345678",
      "AU",
      "2026-12-05T06:00:00Z",
      "2026-12-06T22:00:00.000Z",
    ],
    [
      "AU Christmas Eve 20:00 → after Boxing Day substitute",
      "+61212345678",
      "AU",
      "2026-12-24T09:00:00Z",
      "2026-12-28T22:00:00.000Z",
    ],
    [
      "AU Good Friday 2027",
      "+61212345678",
      "AU",
      "2027-03-25T23:00:00Z",
      "2027-03-26T22:00:00.000Z",
    ],
    // United Kingdom (our choice): Mon–Sat 8 to 21, Sunday 9 to 21.
    ["GB Sun 08:30", "+447911123456", "GB", "2026-12-06T08:30:00Z", "2026-12-06T09:00:00.000Z"],
    ["GB Sat 08:00", "+447911123456", "GB", "2026-12-05T08:00:00Z", "ok"],
    // New Zealand (our choice; Auckland UTC+13, Chatham UTC+13:45 in December): Mon–Sat 9 to 20.
    ["NZ Sat 19:00 Auckland is 19:45 Chatham", "+6493001234", "NZ", "2026-12-05T06:00:00Z", "ok"],
    [
      "NZ Sat 19:30 Auckland is 20:15 Chatham",
      "+6493001234",
      "NZ",
      "2026-12-05T06:30:00Z",
      "2026-12-06T20:00:00.000Z",
    ],
    // Israel (our choice; UTC+2 in December): Sun–Thu 9 to 20, Friday 9 to 13, no Saturday.
    [
      "IL Fri 13:00 → Sun",
      "+972501234567",
      "IL",
      "2026-12-04T11:00:00Z",
      "2026-12-06T07:00:00.000Z",
    ],
    ["IL Sun 09:00", "+972501234567", "IL", "2026-12-06T07:00:00Z", "ok"],
  ])("%s", (_what, to, region, when, expected) => {
    expect(decide("strict", to, region, when)).toBe(expected);
  });

  it("every row of the table is tested above", () => {
    expect(Object.keys(STRICT_RULES).sort()).toEqual(
      ["AU", "CA", "GB", "IL", "NZ", "US", "US-FL", "US-MD", "US-OK", "US-TX"].sort(),
    );
  });
});

describe("a number spanning two zones must be in the window in both", () => {
  // 850 (Florida panhandle): Eastern and Central. 7:30 Central is 8:30 Eastern.
  it("refused until 8:00 in the later zone (Central)", () => {
    expect(decide("strict", "+18505550123", "US", "2026-12-04T13:30:00Z")).toBe(
      "2026-12-04T14:00:00.000Z",
    );
  });
  it("and closed at 20:00 in the earlier zone (Eastern)", () => {
    expect(decide("strict", "+18505550123", "US", "2026-12-04T01:00:00Z")).toBe(
      "2026-12-04T14:00:00.000Z",
    );
  });
});

describe("DST changes in each US zone (standard policy)", () => {
  it.each([
    // Spring forward 2027-03-14: at 8:00 local the offset is already daylight time.
    ["New York", "+12125550123", "2027-03-14T11:59:00Z", "2027-03-14T12:00:00.000Z"],
    ["Chicago", "+13125550123", "2027-03-14T12:59:00Z", "2027-03-14T13:00:00.000Z"],
    ["Denver", "+13035550123", "2027-03-14T13:59:00Z", "2027-03-14T14:00:00.000Z"],
    ["Phoenix (no DST)", "+16025550123", "2027-03-14T14:59:00Z", "2027-03-14T15:00:00.000Z"],
    ["Los Angeles", "+14155550123", "2027-03-14T14:59:00Z", "2027-03-14T15:00:00.000Z"],
    ["Anchorage", "+19075550123", "2027-03-14T17:59:00Z", "2027-03-14T18:00:00.000Z"],
    ["Honolulu (no DST)", "+18085550123", "2027-03-14T17:59:00Z", "2027-03-14T18:00:00.000Z"],
    // Fall back 2027-11-07: 8:00 local is standard time again.
    ["New York, fall", "+12125550123", "2027-11-07T12:59:00Z", "2027-11-07T13:00:00.000Z"],
    ["Los Angeles, fall", "+14155550123", "2027-11-07T15:59:00Z", "2027-11-07T16:00:00.000Z"],
  ])("%s", (_zone, to, when, expected) => {
    // 907 lists Honolulu too (libphonenumber), so Alaska opens at 8:00 Hawaii time.
    expect(decide("standard", to, "US", when)).toBe(expected);
  });

  it("a wall time skipped by spring forward moves forward by the gap (2:30 → 3:30 EDT)", () => {
    expect(iso(instantOf("America/New_York", "2027-03-14", 150))).toBe("2027-03-14T07:30:00.000Z");
  });
});
