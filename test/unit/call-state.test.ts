import { describe, expect, it } from "vitest";
import {
  type CallEvent,
  type CallLimits,
  type CallState,
  initialState,
  transition,
} from "../../src/domain/call-state";
import type { CallStatus } from "../../src/domain/call-status";

const LIMITS: CallLimits = {
  dialMs: 60_000,
  ringMs: 60_000,
  mediaConnectMs: 15_000,
  endGraceMs: 10_000,
};
const T0 = 1_000_000;

function run(...events: CallEvent[]): CallState {
  return events.reduce((s, e) => transition(s, e).state, initialState(T0, LIMITS));
}

const accepted: CallEvent = { type: "carrier_accepted", at: T0 + 100, providerCallId: "CA1" };
const answered: CallEvent = { type: "answered", at: T0 + 5000, maxDurationMs: 600_000 };
const media: CallEvent = { type: "media_connected", at: T0 + 5100 };

describe("allowed transitions", () => {
  it("queued → dialing → in_progress → completed, with times and duration", () => {
    const s = run(accepted, answered, media, {
      type: "carrier_ended",
      at: T0 + 65_000,
      outcome: "completed",
      durationSec: 60,
    });
    expect(s).toMatchObject({
      status: "completed",
      providerCallId: "CA1",
      answeredAt: T0 + 5000,
      endedAt: T0 + 65_000,
      durationSec: 60,
      error: null,
      deadline: null,
    });
  });

  it.each<[string, CallEvent[], CallStatus, string | null]>([
    [
      "busy → declined",
      [accepted, { type: "carrier_ended", at: T0 + 9, outcome: "busy" }],
      "declined",
      null,
    ],
    [
      "no-answer → no_answer",
      [accepted, { type: "carrier_ended", at: T0 + 9, outcome: "no_answer" }],
      "no_answer",
      null,
    ],
    [
      "carrier failed → failed",
      [accepted, { type: "carrier_ended", at: T0 + 9, outcome: "failed" }],
      "failed",
      "carrier_failed",
    ],
    [
      "carrier canceled → failed",
      [accepted, { type: "carrier_ended", at: T0 + 9, outcome: "canceled" }],
      "failed",
      "canceled",
    ],
    [
      "refusal → placement_failed",
      [{ type: "placement_failed", at: T0 + 9 }],
      "failed",
      "placement_failed",
    ],
    [
      "machine → voicemail",
      [
        accepted,
        answered,
        { type: "machine_detected", at: T0 + 7000, answeredBy: "machine_start" },
      ],
      "voicemail",
      null,
    ],
    [
      "machine before answer → voicemail",
      [accepted, { type: "machine_detected", at: T0 + 7000, answeredBy: "fax" }],
      "voicemail",
      null,
    ],
    [
      "agent hangs up → completed",
      [accepted, answered, media, { type: "agent_hangup", at: T0 + 9000 }],
      "completed",
      null,
    ],
    ["cancel while queued", [{ type: "cancel", at: T0 + 1 }], "failed", "canceled"],
    ["cancel while dialing", [accepted, { type: "cancel", at: T0 + 1 }], "failed", "canceled"],
    [
      "cancel while live",
      [accepted, answered, { type: "cancel", at: T0 + 6000 }],
      "failed",
      "canceled",
    ],
    [
      "no minutes left at answer",
      [accepted, { type: "answered", at: T0 + 5000, maxDurationMs: 0 }],
      "failed",
      "over_minute_cap",
    ],
    [
      "completed with a duration but no answer seen",
      [accepted, { type: "carrier_ended", at: T0 + 9000, outcome: "completed", durationSec: 3 }],
      "completed",
      null,
    ],
    [
      "completed without answer or duration",
      [accepted, { type: "carrier_ended", at: T0 + 9000, outcome: "completed", durationSec: 0 }],
      "failed",
      "carrier_failed",
    ],
  ])("%s", (_name, events, status, error) => {
    expect(run(...events)).toMatchObject({ status, error });
  });

  it("asks the carrier to hang up only when there is a call to hang up", () => {
    const queued = transition(initialState(T0, LIMITS), { type: "cancel", at: T0 + 1 });
    expect(queued.effects).toEqual([]);
    const dialing = transition(run(accepted), { type: "cancel", at: T0 + 1 });
    expect(dialing.effects).toEqual([{ type: "hangup", answered: false }]);
    const live = transition(run(accepted, answered), { type: "cancel", at: T0 + 6000 });
    expect(live.effects).toEqual([{ type: "hangup", answered: true }]);
    expect(live.state.durationSec).toBe(1);
  });
});

describe("refused and absorbed events", () => {
  const terminal = run(accepted, answered, {
    type: "carrier_ended",
    at: T0 + 9000,
    outcome: "completed",
    durationSec: 4,
  });

  it.each<CallEvent>([
    { type: "ringing", at: T0 },
    { type: "answered", at: T0, maxDurationMs: 1 },
    { type: "carrier_ended", at: T0, outcome: "busy" },
    { type: "machine_detected", at: T0, answeredBy: "machine_start" },
    { type: "cancel", at: T0 },
    { type: "watchdog", at: T0 + 10_000_000 },
    { type: "media_closed", at: T0, stopped: false },
  ])("a terminal status absorbs %j", (event) => {
    const t = transition(terminal, event);
    expect(t.changed).toBe(false);
    expect(t.state).toBe(terminal);
  });

  it("never goes backward: ringing after the answer changes nothing", () => {
    const live = run(accepted, answered);
    expect(transition(live, { type: "ringing", at: T0 + 6000 }).changed).toBe(false);
    expect(transition(live, answered).changed).toBe(false);
  });

  it("a duplicate carrier_accepted keeps the first call SID", () => {
    const s = run(accepted, { type: "carrier_accepted", at: T0 + 200, providerCallId: "CA2" });
    expect(s.providerCallId).toBe("CA1");
  });

  it("an answer that overtakes carrier acceptance still records the SID later", () => {
    const s = run(answered, accepted);
    expect(s).toMatchObject({ status: "in_progress", providerCallId: "CA1" });
  });
});

describe("watchdog", () => {
  it("fires only at or after its deadline (idempotent under repeated alarms)", () => {
    const dialing = run(accepted);
    expect(dialing.deadline).toEqual({ at: accepted.at + LIMITS.ringMs, reason: "ring_timeout" });
    expect(
      transition(dialing, { type: "watchdog", at: accepted.at + LIMITS.ringMs - 1 }).changed,
    ).toBe(false);
    const fired = transition(dialing, { type: "watchdog", at: accepted.at + LIMITS.ringMs });
    expect(fired.state).toMatchObject({ status: "failed", error: "ring_timeout" });
    expect(fired.effects).toEqual([{ type: "hangup", answered: false }]);
    expect(transition(fired.state, { type: "watchdog", at: T0 + 10_000_000 }).changed).toBe(false);
  });

  it.each<[string, CallEvent[], number, CallStatus, string | null]>([
    ["dial timeout", [], T0 + LIMITS.dialMs, "failed", "placement_failed"],
    [
      "media never connects",
      [accepted, answered],
      answered.at + LIMITS.mediaConnectMs,
      "failed",
      "media_not_connected",
    ],
    ["max duration", [accepted, answered, media], answered.at + 600_000, "completed", null],
    [
      "media lost",
      [accepted, answered, media, { type: "media_closed", at: T0 + 8000, stopped: false }],
      T0 + 8000 + LIMITS.endGraceMs,
      "failed",
      "media_lost",
    ],
    [
      "stream stopped, final callback late",
      [accepted, answered, media, { type: "media_closed", at: T0 + 8000, stopped: true }],
      T0 + 8000 + LIMITS.endGraceMs,
      "completed",
      null,
    ],
  ])("%s", (_name, events, at, status, error) => {
    const fired = transition(run(...events), { type: "watchdog", at });
    expect(fired.state).toMatchObject({ status, error });
  });

  it("bounds a live call by its granted duration, whichever limit comes first", () => {
    const short = run(accepted, { type: "answered", at: T0 + 5000, maxDurationMs: 10_000 });
    expect(short.deadline).toEqual({ at: T0 + 15_000, reason: "max_duration" });
    const long = run(accepted, answered);
    expect(long.deadline).toEqual({
      at: answered.at + LIMITS.mediaConnectMs,
      reason: "media_timeout",
    });
    expect(run(accepted, answered, media).deadline).toEqual({
      at: answered.at + 600_000,
      reason: "max_duration",
    });
  });
});
