/**
 * Questions to the requester (questions.ts) and opt-out (opt-out.ts), as session steps.
 */

import { isTerminal } from "../call-state";
import { optOutEvidence } from "../opt-out";
import {
  ASK_REQUESTER_TOOL,
  askedQuestion,
  pendingQuestion,
  type Question,
  questionResult,
  questionView,
  requesterLineText,
} from "../questions";
import type { ToolCall } from "../tool";
import type { TranscriptLine } from "../transcript";
import { addLine, answer, withLive, withNotice, withSync } from "./record";
import type { SessionCommand, SessionInput, SessionState, StepResult } from "./types";

export function askRequester(state: SessionState, call: ToolCall, now: number): StepResult {
  const timeoutSec = state.params.questionTimeoutSec;
  if (timeoutSec === null || timeoutSec === undefined)
    return answer(state, call, { error: "unknown_tool" });
  if (pendingQuestion(state.questions))
    return answer(state, call, { error: "a question is already waiting for its answer" });
  const asked = askedQuestion(call, {
    callId: state.params.callId,
    number: state.questions.length + 1,
    timeoutSec,
    now,
  });
  if ("error" in asked) return answer(state, call, { error: asked.error });
  // No tool result yet: the model waits for the answer (or the expiry) while the line stays open.
  const next = { ...state, questions: [...state.questions, asked] };
  const view = questionView(asked);
  const pending = {
    id: view.id,
    question: view.question,
    options: view.options,
    askedAt: view.askedAt,
    expiresAt: view.expiresAt,
  };
  return withSync(
    { state: withNotice(next, "call.question", now, { question: pending }), commands: [] },
    now,
  );
}

export function questionAnswered(
  state: SessionState,
  input: Extract<SessionInput, { type: "question_answered" }>,
  now: number,
): StepResult {
  const q = state.questions.find((x) => x.id === input.questionId);
  if (!q) return { state, commands: [], refused: "question_not_found" };
  if (q.answeredBy !== null || now >= q.expiresAt || isTerminal(state.call))
    return { state, commands: [], refused: "question_closed" };
  return closeQuestion(
    state,
    { ...q, answer: input.answer, answeredAt: now, answeredBy: input.by },
    now,
  );
}

/** The pending question whose time ran out: the model is told no answer came. */
export function expireQuestion(state: SessionState, now: number): StepResult {
  const q = pendingQuestion(state.questions);
  if (!q || now < q.expiresAt) return { state, commands: [] };
  return closeQuestion(state, { ...q, answeredAt: now, answeredBy: "timeout" }, now);
}

export function closeQuestion(state: SessionState, closed: Question, now: number): StepResult {
  const questions = state.questions.map((x) => (x.id === closed.id ? closed : x));
  const answeredAt = state.call.answeredAt ?? now;
  const line: TranscriptLine = {
    speaker: "requester",
    text: requesterLineText(closed),
    offsetMs: Math.max(0, now - answeredAt),
  };
  const next = withLive(addLine({ ...state, questions }, line, now), "call.question_closed", {
    question: questionView(closed),
  });
  const toolCall: ToolCall = { id: closed.toolCallId, name: ASK_REQUESTER_TOOL.name, args: {} };
  const commands: SessionCommand[] = isTerminal(state.call)
    ? []
    : [{ type: "tool_result", call: toolCall, result: questionResult(closed) }];
  return withSync({ state: next, commands }, now);
}

export function optOut(state: SessionState, call: ToolCall, now: number): StepResult {
  if (state.optOut) return answer(state, call, { ok: true });
  const reason = optOutEvidence(call, state.lines);
  const next = withNotice({ ...state, optOut: { reason } }, "call.opt_out", now, {
    optOut: { number: state.params.to, reason },
  });
  return withSync(
    {
      state: next,
      commands: [
        {
          type: "tool_result",
          call,
          result: {
            ok: true,
            note: "The number will not be called again. Say goodbye and end the call.",
          },
        },
      ],
    },
    now,
  );
}
