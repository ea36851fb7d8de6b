/**
 * Phone menus and hold (phone-tree.ts), as session steps: keys pressed and heard, waiting on hold.
 */

import {
  holdDeadline,
  pressDigits,
  pressedText,
  recipientKeyText,
  startHold,
  validRecipientKey,
} from "../phone-tree";
import type { ToolCall } from "../tool";
import { lifecycle } from "./lifecycle";
import { answer, withLine } from "./record";
import type { SessionState, StepResult } from "./types";

export function recipientKey(state: SessionState, digit: string, now: number): StepResult {
  if (state.call.status !== "in_progress" || !validRecipientKey(digit))
    return { state, commands: [] };
  return {
    state: withLine(state, "recipient", recipientKeyText(digit), now),
    commands: [
      { type: "inform_model", text: `The person pressed the key ${digit} on their phone.` },
    ],
  };
}

export function pressDigitsCalled(state: SessionState, call: ToolCall, now: number): StepResult {
  const press = pressDigits(state.phoneTree, call);
  if (press.type === "invalid") return answer(state, call, { error: "invalid_digits" });
  if (press.type === "stuck") {
    const ended = lifecycle(
      { ...state, phoneTree: press.state },
      { type: "gave_up", at: now, error: "ivr_stuck" },
    );
    return {
      ...ended,
      commands: [...ended.commands, ...answer(state, call, { error: "ivr_stuck" }).commands],
    };
  }
  const pressed = withLine(
    { ...state, phoneTree: press.state },
    "agent",
    pressedText(press.digits),
    now,
  );
  return {
    state: pressed,
    commands: [
      { type: "play_dtmf", digits: press.digits },
      { type: "tool_result", call, result: { result: "pressed", digits: press.digits } },
    ],
  };
}

export function waitOnHoldCalled(state: SessionState, call: ToolCall, now: number): StepResult {
  const onHold = state.phoneTree.holdSince !== null;
  const next = onHold
    ? state
    : withLine(
        { ...state, phoneTree: startHold(state.phoneTree, now) },
        "recipient",
        "[on hold]",
        now,
      );
  return answer(next, call, {
    result: "waiting",
    instruction: "Stay silent until a person speaks to you.",
    maxHoldSec: state.params.maxHoldSec,
  });
}

/** When the current hold runs out (null: not on hold). */
export function holdDueAt(state: SessionState): number | null {
  const { call } = state;
  const callEndsAt =
    call.status === "in_progress" && call.answeredAt !== null && call.maxDurationMs !== null
      ? call.answeredAt + call.maxDurationMs
      : null;
  if (call.status !== "in_progress") return null;
  return holdDeadline(state.phoneTree, state.params.maxHoldSec, callEndsAt);
}
