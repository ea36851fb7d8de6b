import { describe, expect, it } from "vitest";
import type { HoursDecision } from "../../src/domain/calling-hours";
import { decideSchedule, MAX_SCHEDULE_AHEAD_MS, ScheduleSchema } from "../../src/domain/schedule";

const NOW = Date.parse("2026-12-04T01:30:00Z");
const OPENS = Date.parse("2026-12-04T13:00:00Z");
const HOUR = 60 * 60 * 1000;

/** A window closed until OPENS (as a policy would say at any instant before it). */
const closedUntilOpens = (at: number): HoursDecision =>
  at < OPENS ? { allowed: false, nextWindowAt: OPENS } : { allowed: true };
const alwaysOpen = (): HoursDecision => ({ allowed: true });

describe("decideSchedule", () => {
  it("without a schedule: now when the window is open, refused with the next window when not", () => {
    expect(decideSchedule(undefined, alwaysOpen, NOW)).toEqual({ ok: true, at: null });
    expect(decideSchedule(null, closedUntilOpens, NOW)).toEqual({
      ok: false,
      error: "outside_calling_window",
      nextWindowAt: OPENS,
    });
  });

  it("inCallingWindow: moved to the window's opening instead of refused", () => {
    expect(decideSchedule({ inCallingWindow: true }, closedUntilOpens, NOW)).toEqual({
      ok: true,
      at: OPENS,
    });
    expect(decideSchedule({ inCallingWindow: true }, alwaysOpen, NOW)).toEqual({
      ok: true,
      at: null,
    });
  });

  it("notBefore: the later of it and the window at that instant", () => {
    const inTwo = new Date(NOW + 2 * HOUR).toISOString();
    expect(decideSchedule({ notBefore: inTwo }, alwaysOpen, NOW)).toEqual({
      ok: true,
      at: NOW + 2 * HOUR,
    });
    expect(decideSchedule({ notBefore: inTwo }, closedUntilOpens, NOW)).toEqual({
      ok: true,
      at: OPENS,
    });
    const afterOpening = new Date(OPENS + HOUR).toISOString();
    expect(decideSchedule({ notBefore: afterOpening }, closedUntilOpens, NOW)).toEqual({
      ok: true,
      at: OPENS + HOUR,
    });
  });

  it("a notBefore in the past dials now", () => {
    const past = new Date(NOW - HOUR).toISOString();
    expect(decideSchedule({ notBefore: past }, alwaysOpen, NOW)).toEqual({ ok: true, at: null });
  });

  it("at most 30 days ahead, the window included", () => {
    const edge = new Date(NOW + MAX_SCHEDULE_AHEAD_MS).toISOString();
    expect(decideSchedule({ notBefore: edge }, alwaysOpen, NOW)).toEqual({
      ok: true,
      at: NOW + MAX_SCHEDULE_AHEAD_MS,
    });
    const beyond = new Date(NOW + MAX_SCHEDULE_AHEAD_MS + 1).toISOString();
    expect(decideSchedule({ notBefore: beyond }, alwaysOpen, NOW)).toEqual({
      ok: false,
      error: "invalid_schedule",
    });
    const opensBeyond = (at: number): HoursDecision =>
      at < NOW + MAX_SCHEDULE_AHEAD_MS + HOUR
        ? { allowed: false, nextWindowAt: NOW + MAX_SCHEDULE_AHEAD_MS + HOUR }
        : { allowed: true };
    expect(decideSchedule({ inCallingWindow: true }, opensBeyond, NOW)).toEqual({
      ok: false,
      error: "invalid_schedule",
    });
  });
});

describe("ScheduleSchema", () => {
  it.each([
    [{ notBefore: "2026-12-05T09:00:00+01:00" }, true],
    [{ notBefore: "2026-12-05T09:00:00Z", inCallingWindow: true }, true],
    [{}, true],
    [{ notBefore: "2026-12-05" }, false],
    [{ notBefore: "2026-12-05T09:00:00" }, false],
    [{ inCallingWindow: false }, false],
    [{ at: "2026-12-05T09:00:00Z" }, false],
  ])("%j is valid: %s", (schedule, valid) => {
    expect(ScheduleSchema.safeParse(schedule).success).toBe(valid);
  });
});
