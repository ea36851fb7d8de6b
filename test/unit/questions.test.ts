/**
 * Questions to the requester and opt-out in the engine: what a tool call, an answer and the
 * question's expiry do to the session, as pure steps.
 */
import { describe, expect, it } from "vitest";
import { nextAlarm, type SessionState, startSession, step } from "../../src/domain/call-engine";
import type { CallParams } from "../../src/domain/call-params";
import { callParams, SETTINGS, T0 } from "./engine-fixtures";

const PARAMS = callParams({
  to: "+14155550118",
  questionTimeoutSec: 30,
});
const ASK = {
  type: "tool_called" as const,
  call: { id: "fc_1", name: "ask_requester", args: { question: "7:30 instead of 7?" } },
};

/** A live call (answered at T0 + 1 s) with media flowing. */
function live(params: CallParams = PARAMS): SessionState {
  let s = startSession(params, SETTINGS, T0).state;
  s = step(s, { type: "dial_succeeded", providerCallId: "CA1" }, T0).state;
  s = step(s, { type: "media_started", grantedMs: 600_000 }, T0 + 1000).state;
  return s;
}

describe("ask_requester", () => {
  it("keeps the model waiting, emits call.question, and its expiry sets the alarm", () => {
    const r = step(live(), ASK, T0 + 2000);
    expect(r.commands.some((c) => c.type === "tool_result")).toBe(false);
    expect(r.state.outbox.map((e) => e.type)).toContain("call.question");
    const q = r.state.questions[0];
    expect(q).toMatchObject({ question: "7:30 instead of 7?", expiresAt: T0 + 32_000 });
    expect(nextAlarm(r.state)).toBeLessThanOrEqual(T0 + 32_000);
  });

  it("an answer becomes the tool's result and a requester line; a second answer is refused", () => {
    const asked = step(live(), ASK, T0 + 2000).state;
    const id = asked.questions[0]?.id ?? "";
    const r = step(
      asked,
      { type: "question_answered", questionId: id, answer: "yes", by: "rest" },
      T0 + 3000,
    );
    expect(r.commands).toContainEqual({
      type: "tool_result",
      call: { id: "fc_1", name: "ask_requester", args: {} },
      result: { answered: true, answer: "yes" },
    });
    expect(r.state.lines.at(-1)).toMatchObject({ speaker: "requester", offsetMs: 2000 });
    const again = step(
      r.state,
      { type: "question_answered", questionId: id, answer: "no", by: "mcp" },
      T0 + 4000,
    );
    expect(again.refused).toBe("question_closed");
    const unknown = step(
      r.state,
      { type: "question_answered", questionId: "q_x", answer: "no", by: "mcp" },
      T0 + 4000,
    );
    expect(unknown.refused).toBe("question_not_found");
  });

  it("no answer by the expiry: the alarm tells the model none came", () => {
    const asked = step(live(), ASK, T0 + 2000).state;
    const r = step(asked, { type: "alarm" }, T0 + 32_000);
    expect(r.commands).toContainEqual(
      expect.objectContaining({
        type: "tool_result",
        result: expect.objectContaining({ answered: false }),
      }),
    );
    expect(r.state.questions[0]?.answeredBy).toBe("timeout");
  });

  it("is not offered when questions are off", () => {
    const r = step(live({ ...PARAMS, questionTimeoutSec: null }), ASK, T0 + 2000);
    expect(r.commands).toContainEqual(
      expect.objectContaining({ result: { error: "unknown_tool" } }),
    );
    expect(r.state.questions).toEqual([]);
  });
});

describe("opt_out", () => {
  it("records the person's words, emits call.opt_out once, and answers the model", () => {
    let s = live();
    s = step(
      s,
      {
        type: "transcript_line",
        line: { speaker: "recipient", text: "Please don't call me again.", offsetMs: 900 },
      },
      T0 + 2000,
    ).state;
    const call = { id: "fc_2", name: "opt_out", args: {} };
    const r = step(s, { type: "tool_called", call }, T0 + 2500);
    expect(r.state.optOut).toEqual({ reason: "Please don't call me again." });
    expect(r.state.outbox.filter((e) => e.type === "call.opt_out")).toHaveLength(1);
    expect(r.commands.some((c) => c.type === "tool_result")).toBe(true);
    const twice = step(r.state, { type: "tool_called", call }, T0 + 2600);
    expect(twice.state.outbox.filter((e) => e.type === "call.opt_out")).toHaveLength(1);
  });
});
