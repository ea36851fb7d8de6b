import { settledStatus } from "../answering";
import type { CallOutputs } from "../call-record";
import { type CallEvent, type CallState, type Effect, isTerminal, transition } from "../call-state";
import { holdSecOf } from "../phone-tree";
import { transferRecordOf } from "../transfer";
import { flushTranscript, withEvent, withSync } from "./record";
import type { SessionCommand, SessionState, StepResult } from "./types";

/** Applies a lifecycle event: the status change's event, its effects, and the start of post-call work. */
export function lifecycle(state: SessionState, event: CallEvent): StepResult {
  const t = transition(state.call, event);
  if (!t.changed) return { state, commands: [] };
  const before = state.call;
  const call =
    isTerminal(t.state) && !isTerminal(before)
      ? { ...t.state, status: settledStatus(state.answering, t.state.status) }
      : t.state;
  let next: SessionState = { ...state, call };
  const commands: SessionCommand[] = t.effects.flatMap((e) => effectCommand(call, e));
  const ended = !isTerminal(before) && isTerminal(call);
  if (call.status !== before.status && !ended) next = withEvent(next, call.status, event.at);
  if (ended) {
    next = { ...next, post: { began: false, deadline: event.at + state.settings.postCallBoundMs } };
    commands.push({ type: "close_media" });
  }
  return withSync({ state: next, commands }, event.at);
}

export function effectCommand(call: CallState, effect: Effect): SessionCommand[] {
  if (effect.type !== "hangup" || !call.providerCallId) return [];
  return [{ type: "hang_up", providerCallId: call.providerCallId, answered: effect.answered }];
}

export function finalize(state: SessionState, outputs: CallOutputs, now: number): StepResult {
  if (state.finalized || !isTerminal(state.call)) return { state, commands: [] };
  const holdSec = holdSecOf(state.phoneTree, state.call.endedAt ?? now);
  const transfer = transferRecordOf(state.transfer);
  const done: SessionState = {
    ...flushTranscript(state, now, true),
    finalized: true,
    outputs: { ...outputs, holdSec, transfer },
  };
  // Sent after the post-call work, stamped with the call's end.
  const withTerminal = withEvent(done, done.call.status, done.call.endedAt ?? now);
  return withSync({ state: withTerminal, commands: [] }, now);
}
