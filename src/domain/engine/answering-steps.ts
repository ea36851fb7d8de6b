/**
 * Who answered (answering.ts), as session steps: the carrier's AMD verdict, the agent's report,
 * and what a verdict makes the call do (close the gate, leave a message, end as a machine).
 */

import {
  type AnsweringAction,
  type AnsweringStep,
  answererOfAmd,
  greetingEnded,
  leaveMessageNote,
  reportedAnswerer,
  reportResult,
  verdict,
  voicemailOf,
} from "../answering";
import type { ToolCall } from "../tool";
import { lifecycle } from "./lifecycle";
import { andThen, answer, sinceAnswer, withSync } from "./record";
import type { SessionState, StepResult } from "./types";

/** The model said who answered (report_answerer). */
export function answererReported(state: SessionState, call: ToolCall, now: number): StepResult {
  const reported = reportedAnswerer(call);
  if ("error" in reported) return answer(state, call, reported);
  const setting = voicemailOf(state.params);
  const step = verdict(
    state.answering,
    reported.by,
    "agent",
    sinceAnswer(state, now),
    now,
    setting,
    reported.mailboxFull,
  );
  const applied = applyAnswering(state, step, now);
  const result = reportResult(applied.state.answering, setting);
  return { ...applied, commands: [...applied.commands, { type: "tool_result", call, result }] };
}

/** A carrier's AMD verdict (machine_end_* also says the greeting ended). */
export function carrierVerdict(state: SessionState, answeredBy: string, now: number): StepResult {
  const { by, greetingEnded: ended } = answererOfAmd(answeredBy);
  const setting = voicemailOf(state.params);
  const since = sinceAnswer(state, now);
  const first = verdict(state.answering, by, "carrier", since, now, setting);
  const step = ended
    ? greetingEnded(first.answering, "carrier", since, now, setting)
    : { answering: first.answering, actions: [] };
  return applyAnswering(
    state,
    { answering: step.answering, actions: [...first.actions, ...step.actions] },
    now,
    answeredBy,
  );
}

/** Keeps the answering state and carries out what its rules asked for. */
export function applyAnswering(
  state: SessionState,
  step: AnsweringStep,
  now: number,
  rawAnsweredBy?: string,
): StepResult {
  if (step.answering === state.answering && step.actions.length === 0)
    return { state, commands: [] };
  let result = withSync({ state: { ...state, answering: step.answering }, commands: [] }, now);
  for (const action of step.actions)
    result = andThen(result, (s) => answeringAction(s, action, now, rawAnsweredBy));
  return result;
}

export function answeringAction(
  state: SessionState,
  action: AnsweringAction,
  now: number,
  rawAnsweredBy: string | undefined,
): StepResult {
  switch (action.type) {
    case "end_as_machine":
      return lifecycle(state, {
        type: "machine_detected",
        at: now,
        answeredBy: rawAnsweredBy ?? state.answering.by ?? "voicemail",
      });
    case "hang_up":
      return lifecycle(state, { type: "agent_hangup", at: now });
    case "close_gate":
      return { state, commands: [{ type: "gate_agent_audio", open: false }] };
    case "leave_message":
      return {
        state,
        commands: [
          { type: "gate_agent_audio", open: true },
          {
            type: "inform_model",
            text: leaveMessageNote(voicemailOf(state.params), state.params.from),
          },
        ],
      };
  }
}
