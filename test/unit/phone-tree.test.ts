/**
 * The phone tree's rules in the engine (issue 15): keys pressed and heard, the menu-loop rule,
 * hold bounds and holdSec, and the simulated agent's menu choice.
 */
import { describe, expect, it } from "vitest";
import { readSessionRecord } from "../../src/call-session/session-record";
import {
  nextAlarm,
  type SessionCommand,
  type SessionInput,
  type SessionState,
  startSession,
  step,
} from "../../src/domain/call-engine";
import { formatTranscript } from "../../src/domain/transcript";
import { PHONE_LINES } from "../../src/simulator/phone-lines";
import { chooseOption, menuOptions } from "../../src/voice/simulator/menu-choice";
import { callParams, SETTINGS, T0 } from "./engine-fixtures";

const ANSWER = T0 + 5000;
const PARAMS = callParams({
  callId: "6f1c2a3b-0000-4000-8000-000000000015",
  to: "+14155550113",
  objective: "Make a reservation.",
  webhookUrl: null,
  maxHoldSec: 60,
});

/** A call answered at ANSWER (granted `grantedMs`) with its media connected, then `rows`. */
function live(rows: [SessionInput, number][], grantedMs = 120_000) {
  let state: SessionState = startSession(PARAMS, SETTINGS, T0).state;
  const all: [SessionInput, number][] = [
    [{ type: "dial_succeeded", providerCallId: "CA1" }, T0 + 100],
    [
      {
        type: "carrier",
        signal: { kind: "answered" },
        callSid: "CA1",
        dedupeKey: "a",
        grantedMs,
      },
      ANSWER,
    ],
    [{ type: "media_started" }, ANSWER + 100],
    ...rows,
  ];
  const commands: SessionCommand[] = [];
  for (const [input, at] of all) {
    const r = step(state, input, at);
    state = r.state;
    if (at > ANSWER + 100) commands.push(...r.commands);
  }
  return { state, commands };
}

const press = (digits: unknown, id = "fc_1"): SessionInput => ({
  type: "tool_called",
  call: { id, name: "press_digits", args: { digits } },
});
const hold: SessionInput = {
  type: "tool_called",
  call: { id: "fc_h", name: "wait_on_hold", args: {} },
};
const agentSays = (offsetMs: number): SessionInput => ({
  type: "transcript_line",
  line: { speaker: "agent", text: "Hello, I am calling about a reservation.", offsetMs },
});

describe("press_digits", () => {
  it("plays the keys, answers the model, and writes [pressed …] at the time of the press", () => {
    const { state, commands } = live([[press("1w2"), ANSWER + 3200]]);
    expect(commands).toEqual([
      { type: "play_dtmf", digits: "1w2" },
      {
        type: "tool_result",
        call: { id: "fc_1", name: "press_digits", args: { digits: "1w2" } },
        result: { result: "pressed", digits: "1w2" },
      },
    ]);
    expect(formatTranscript(state.lines)).toBe("[00:03.2] agent: [pressed 12]");
  });

  it("refuses keys that are not 0-9 * # w, with nothing played", () => {
    for (const digits of ["", "www", "12A", 5, null, "1".repeat(33)]) {
      const { commands, state } = live([[press(digits), ANSWER + 1000]]);
      expect(commands.map((c) => c.type)).toEqual(["tool_result"]);
      expect(commands[0]).toMatchObject({ result: { error: "invalid_digits" } });
      expect(state.lines).toEqual([]);
    }
  });

  it("the same keys a third time without the agent speaking ends the call ivr_stuck", () => {
    const { state, commands } = live([
      [press("1"), ANSWER + 3000],
      [press("1"), ANSWER + 6000],
      [press("1"), ANSWER + 9000],
    ]);
    expect(state.call.status).toBe("failed");
    expect(state.call.error).toBe("ivr_stuck");
    expect(commands.filter((c) => c.type === "play_dtmf")).toHaveLength(2);
    expect(commands).toContainEqual(expect.objectContaining({ type: "hang_up" }));
  });

  it("speaking to someone, or other keys, between presses is progress", () => {
    const spoke = live([
      [press("1"), ANSWER + 3000],
      [press("1"), ANSWER + 6000],
      [agentSays(7000), ANSWER + 7500],
      [press("1"), ANSWER + 9000],
    ]);
    expect(spoke.state.call.status).toBe("in_progress");
    const other = live([
      [press("1"), ANSWER + 3000],
      [press("3"), ANSWER + 6000],
      [press("1"), ANSWER + 9000],
    ]);
    expect(other.state.call.status).toBe("in_progress");
  });
});

describe("keys the recipient presses", () => {
  it("are told to the model and written to the transcript; other digits are dropped", () => {
    const { state, commands } = live([
      [{ type: "recipient_key", digit: "5" }, ANSWER + 2000],
      [{ type: "recipient_key", digit: "A" }, ANSWER + 2500],
    ]);
    expect(commands).toEqual([
      { type: "inform_model", text: "The person pressed the key 5 on their phone." },
    ]);
    expect(formatTranscript(state.lines)).toBe("[00:02.0] recipient: [pressed 5]");
  });
});

describe("hold", () => {
  it("runs from wait_on_hold to the agent's next words, and is counted in holdSec", () => {
    const { state } = live([
      [hold, ANSWER + 4000],
      [hold, ANSWER + 6000],
      [agentSays(24_000), ANSWER + 24_500],
      [{ type: "agent_hung_up" }, ANSWER + 30_000],
      [
        { type: "post_call_done", outputs: startSession(PARAMS, SETTINGS, T0).state.outputs },
        ANSWER + 31_000,
      ],
    ]);
    expect(formatTranscript(state.lines).split("\n")[0]).toBe("[00:04.0] recipient: [on hold]");
    expect(state.lines.filter((l) => l.text === "[on hold]")).toHaveLength(1);
    expect(state.outputs.holdSec).toBe(20);
  });

  it("is bounded by maxHoldSec: the alarm then ends the call hold_timeout", () => {
    const { state } = live([
      [hold, ANSWER + 4000],
      [{ type: "media_flowing" }, ANSWER + 63_000],
      [{ type: "synced", eventIds: [] }, ANSWER + 63_000],
    ]);
    expect(nextAlarm(state)).toBe(ANSWER + 4000 + 60_000);
    expect(step(state, { type: "alarm" }, ANSWER + 63_999).state.call.status).toBe("in_progress");
    const ended = step(state, { type: "alarm" }, ANSWER + 64_000).state;
    expect([ended.call.status, ended.call.error]).toEqual(["failed", "hold_timeout"]);
  });

  it("and by the call's length: a hold still running when it ends is the reason", () => {
    const { state } = live(
      [
        [hold, ANSWER + 4000],
        [{ type: "media_flowing" }, ANSWER + 29_000],
        [{ type: "synced", eventIds: [] }, ANSWER + 29_000],
      ],
      30_000,
    );
    expect(nextAlarm(state)).toBe(ANSWER + 30_000);
    const ended = step(state, { type: "alarm" }, ANSWER + 30_000).state;
    expect([ended.call.status, ended.call.error]).toEqual(["failed", "hold_timeout"]);
  });

  it("a stored record from before the phone tree still loads, with nothing pressed or held", () => {
    const { state } = live([]);
    const { phoneTree: _, ...older } = state;
    const params = { ...older.params } as Record<string, unknown>;
    delete params.maxHoldSec;
    delete params.transferTo;
    delete params.transferWhen;
    const loaded = readSessionRecord(JSON.parse(JSON.stringify({ ...older, params })));
    expect(loaded?.phoneTree).toEqual({ lastDigits: null, repeats: 0, holdSince: null, holdMs: 0 });
    expect(loaded?.params.maxHoldSec).toBe(900);
  });
});

describe("the simulated agent's menu choice", () => {
  it("reads the options and picks the one whose words match the objective", () => {
    expect(menuOptions(PHONE_LINES.ivr_menu)).toEqual([
      { words: "reservations", key: "1" },
      { words: "opening hours", key: "2" },
      { words: "repeat this menu", key: "*" },
    ]);
    expect(chooseOption(PHONE_LINES.ivr_menu, "Make a reservation for Friday")).toBe("1");
    expect(chooseOption(PHONE_LINES.ivr_menu, "Ask about their opening hours")).toBe("2");
    expect(chooseOption(PHONE_LINES.ivr_menu, "Book a table for 4")).toBeUndefined();
  });
});
