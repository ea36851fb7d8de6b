/**
 * The session engine: the whole life of one call as a pure function,
 * `step(state, input, now) → { state, commands }`, plus `nextAlarm(state)`.
 *
 * It builds on the lifecycle in call-state.ts (statuses, watchdog deadlines) and adds what the
 * Durable Object used to keep by hand: dial attempts and their backoff, de-duplication of carrier
 * callbacks, transcript lines, the outbox of webhook events, keeping D1 in step, and post-call
 * work with its bound. It knows no Twilio, no D1 and no WebSocket: the CallSession shell feeds it
 * inputs one at a time, persists the new state, then executes the commands through its ports and
 * feeds their results back as inputs.
 *
 * Webhook rules: each status change of a live call emits one event at the transition; the
 * terminal event is held until post-call work is done (or its bound ran out), so it carries the
 * full record, and is stamped with the call's end.
 *
 * This file is the step function, the alarm and the carrier's and dialing's steps; the rest is in
 * engine/: the vocabulary (types.ts), what every step writes (record.ts: transcript, events,
 * sync), the lifecycle (lifecycle.ts), and one module of steps per capability (answering, phone
 * tree, transfer, questions), each importing only types, record and lifecycle.
 */

import {
  greetingEnded,
  greetingOverdue,
  NO_ANSWERING,
  REPORT_ANSWERER_TOOL,
  voicemailOf,
} from "./answering";
import type { CallParams } from "./call-params";
import { NO_OUTPUTS } from "./call-record";
import { type CallEvent, initialState, isTerminal } from "./call-state";
import type { CarrierSignal } from "./carrier-signal";
import { answererReported, applyAnswering, carrierVerdict } from "./engine/answering-steps";
import { finalize, lifecycle } from "./engine/lifecycle";
import {
  holdDueAt,
  pressDigitsCalled,
  recipientKey,
  waitOnHoldCalled,
} from "./engine/phone-tree-steps";
import { askRequester, expireQuestion, optOut, questionAnswered } from "./engine/question-steps";
import {
  addLine,
  andThen,
  answer,
  flushTranscript,
  sinceAnswer,
  synced,
  withSync,
} from "./engine/record";
import { transferCalled, transferEnded, transferWait } from "./engine/transfer-steps";
import {
  type EngineSettings,
  MAX_DIAL_ATTEMPTS,
  MAX_SEEN,
  MEDIA_SILENCE_MS,
  type SessionInput,
  type SessionState,
  type StepResult,
  SYNC_RETRY_MS,
} from "./engine/types";
import { feedDueAt, NO_FEED } from "./live-transcript";
import { OPT_OUT_TOOL } from "./opt-out";
import { agentSpoke, NO_PHONE_TREE, PRESS_DIGITS_TOOL, WAIT_ON_HOLD_TOOL } from "./phone-tree";
import { ASK_REQUESTER_TOOL, pendingQuestion } from "./questions";
import type { GuardrailToken } from "./schedule";
import type { ToolCall } from "./tool";
import type { TranscriptLine } from "./transcript";
import { TRANSFER_CALL_TOOL } from "./transfer";

export { answerViewOf } from "./engine/record";
export type {
  EngineSettings,
  LiveEvent,
  Refusal,
  SessionCommand,
  SessionInput,
  SessionState,
  StepResult,
} from "./engine/types";
export {
  MAX_DIAL_ATTEMPTS,
  MEDIA_HEARTBEAT_MS,
  MEDIA_SILENCE_MS,
  SYNC_RETRY_MS,
} from "./engine/types";

export function startSession(
  params: CallParams,
  settings: EngineSettings,
  now: number,
): StepResult {
  const scheduledAt = params.scheduledFor ? Date.parse(params.scheduledFor) : Number.NaN;
  const later = scheduledAt > now;
  const state: SessionState = {
    params,
    settings,
    // A scheduled call's dial timeout runs from when it is due.
    call: initialState(later ? scheduledAt : now, settings.limits),
    // Attempt 0 due later: the alarm rechecks the guardrails, then dials attempt 1.
    dial: later ? { attempts: 0, dueAt: scheduledAt } : { attempts: 1, dueAt: null },
    seen: [],
    lines: [],
    outbox: [],
    events: 0,
    sync: { behind: false, retryAt: null },
    lastMediaAt: null,
    interrupted: false,
    voicePrepared: false,
    recording: null,
    post: null,
    finalized: false,
    outputs: NO_OUTPUTS,
    answering: NO_ANSWERING,
    phoneTree: NO_PHONE_TREE,
    transfer: null,
    questions: [],
    optOut: null,
    liveLog: [],
    transcriptFeed: NO_FEED,
  };
  return { state, commands: later ? [] : [{ type: "dial", attempt: 1 }] };
}

/** An answer (by callback or by the media stream) needs the call's length granted first. */
export function needsGrant(state: SessionState, input: SessionInput): boolean {
  const unanswered = state.call.status === "queued" || state.call.status === "dialing";
  if (input.type === "media_started") return unanswered;
  return input.type === "carrier" && input.signal.kind === "answered" && unanswered;
}

export function step(state: SessionState, input: SessionInput, now: number): StepResult {
  const result = stepOnce(state, input, now);
  // An event created on the way (a transcript event, say) must reach D1 and the queue.
  const created = result.state.events > state.events;
  if (!created || result.commands.some((c) => c.type === "sync")) return result;
  return withSync(result, now);
}

function stepOnce(state: SessionState, input: SessionInput, now: number): StepResult {
  switch (input.type) {
    case "alarm":
      return alarm(state, now);
    case "dial_succeeded":
      return dialSucceeded(state, input.providerCallId, now);
    case "dial_failed":
      return dialFailed(state, input.retryable, now);
    case "carrier":
      return carrier(state, input, now);
    case "media_started":
      return mediaStarted(state, input.grantedMs, now);
    case "media_ended":
      return transferWait(
        lifecycle(state, { type: "media_closed", at: now, stopped: input.stopped }),
        now,
      );
    case "media_flowing":
      return { state: { ...state, lastMediaAt: now }, commands: [] };
    case "restored":
      return restored(state);
    case "recording_saved":
      return { state: { ...state, recording: input.saved }, commands: [] };
    case "resync":
      return withSync({ state, commands: [] }, now);
    case "transcript_line":
      return transcriptLine(state, input.line, now);
    case "agent_hung_up":
      return lifecycle(state, { type: "agent_hangup", at: now });
    case "model_lost":
      return lifecycle(state, { type: "model_lost", at: now });
    case "cancel":
      if (isTerminal(state.call)) return { state, commands: [], refused: "already_ended" };
      return lifecycle(state, { type: "cancel", at: now });
    case "synced":
      return synced(state, input.eventIds);
    case "sync_failed":
      return {
        state: { ...state, sync: { behind: true, retryAt: now + SYNC_RETRY_MS } },
        commands: [],
      };
    case "post_call_done":
      return finalize(state, input.outputs, now);
    case "tool_called":
      return toolCalled(state, input.call, now);
    case "recheck_done":
      return recheckDone(state, input.error, now);
    case "recheck_failed":
      if (state.call.status !== "queued" || state.dial.attempts !== 0)
        return { state, commands: [] };
      return {
        state: { ...state, dial: { attempts: 0, dueAt: now + SYNC_RETRY_MS } },
        commands: [],
      };
    case "beep_heard":
    case "greeting_silent":
      if (state.call.status !== "in_progress") return { state, commands: [] };
      // Past a menu or on hold the tones are the menu's or the music's, not a mailbox's beep.
      if (state.phoneTree.lastDigits !== null || state.phoneTree.holdSince !== null)
        return { state, commands: [] };
      return applyAnswering(
        state,
        greetingEnded(
          state.answering,
          input.type === "beep_heard" ? "beep" : "silence",
          sinceAnswer(state, now),
          now,
          voicemailOf(state.params),
        ),
        now,
      );
    case "recipient_key":
      return recipientKey(state, input.digit, now);
    case "transfer_failed": {
      const failed = transferEnded(state, "failed", 0, now);
      if (failed.state === state) return failed;
      const text =
        "The transfer failed: the call could not be handed over. Tell the person, then carry on or end the call.";
      return { ...failed, commands: [...failed.commands, { type: "inform_model", text }] };
    }
    case "transfer_ended":
      return transferEnded(state, input.outcome, input.durationSec, now);
    case "question_answered":
      return questionAnswered(state, input, now);
  }
}

function transcriptLine(state: SessionState, line: TranscriptLine, now: number): StepResult {
  const withIt = addLine(state, line, now);
  // The agent speaks only to people: a hold or a looping menu is over once it does.
  const spoke = line.speaker === "agent" && !line.text.startsWith("[");
  const phoneTree = spoke
    ? agentSpoke(state.phoneTree, (state.call.answeredAt ?? 0) + line.offsetMs)
    : state.phoneTree;
  return { state: { ...withIt, phoneTree }, commands: [] };
}

/**
 * What a tool call does to the call. Each tool's rules live in a module of their own; this only
 * dispatches. A tool the call was not offered (or one no longer relevant because the call ended)
 * is answered with an error, so the model is never left waiting.
 */
function toolCalled(state: SessionState, call: ToolCall, now: number): StepResult {
  if (isTerminal(state.call)) return answer(state, call, { error: "call_ended" });
  switch (call.name) {
    case REPORT_ANSWERER_TOOL.name:
      return answererReported(state, call, now);
    case PRESS_DIGITS_TOOL.name:
      return pressDigitsCalled(state, call, now);
    case WAIT_ON_HOLD_TOOL.name:
      return waitOnHoldCalled(state, call, now);
    case TRANSFER_CALL_TOOL.name:
      return transferCalled(state, call, now);
    case ASK_REQUESTER_TOOL.name:
      return askRequester(state, call, now);
    case OPT_OUT_TOOL.name:
      return optOut(state, call, now);
    default:
      return answer(state, call, { error: "unknown_tool" });
  }
}

/** When the shell's alarm must next run: the earliest deadline, due dial, sync retry or post-call. */
export function nextAlarm(state: SessionState): number | null {
  const due = [
    state.call.deadline?.at,
    state.dial.dueAt ?? undefined,
    holdDueAt(state) ?? undefined,
    state.sync.behind ? (state.sync.retryAt ?? undefined) : undefined,
    mediaWatched(state) && state.lastMediaAt !== null
      ? state.lastMediaAt + MEDIA_SILENCE_MS
      : undefined,
    state.post && !state.finalized
      ? state.post.began
        ? state.post.deadline
        : (state.call.endedAt ?? undefined)
      : undefined,
    isTerminal(state.call) ? undefined : (state.answering.greetingDeadline ?? undefined),
    pendingQuestion(state.questions)?.expiresAt,
    feedDueAt(state.transcriptFeed) ?? undefined,
  ].filter((t): t is number => t !== undefined);
  return due.length > 0 ? Math.min(...due) : null;
}

function alarm(state: SessionState, now: number): StepResult {
  let result: StepResult = { state, commands: [] };
  const { dial } = state;
  const due = state.call.status === "queued" && dial.dueAt !== null && now >= dial.dueAt;
  if (due && dial.attempts === 0) {
    result = {
      state: { ...state, dial: { attempts: 0, dueAt: null } },
      commands: [{ type: "recheck" }],
    };
  } else if (due) {
    const attempt = dial.attempts + 1;
    result = {
      state: { ...state, dial: { attempts: attempt, dueAt: null } },
      commands: [{ type: "dial", attempt }],
    };
  }
  // Before the length watchdog: a hold still running when the call's time is up is the reason.
  const holdDue = holdDueAt(state);
  if (holdDue !== null && now >= holdDue) {
    result = andThen(result, (s) =>
      lifecycle(s, { type: "gave_up", at: now, error: "hold_timeout" }),
    );
  }
  result = andThen(result, (s) => expireQuestion(s, now));
  result = andThen(result, (s) => ({ state: flushTranscript(s, now, false), commands: [] }));
  result = andThen(result, (s) => lifecycle(s, { type: "watchdog", at: now }));
  result = andThen(result, (s) =>
    isTerminal(s.call)
      ? { state: s, commands: [] }
      : applyAnswering(s, greetingOverdue(s.answering, now), now),
  );
  const lastMediaAt = result.state.lastMediaAt;
  if (mediaWatched(result.state) && lastMediaAt !== null && now >= lastMediaAt + MEDIA_SILENCE_MS) {
    result = andThen(result, (x) => lifecycle(x, { type: "media_silent", at: now, lastMediaAt }));
  }
  const s = result.state;
  if (s.post && !s.finalized) {
    if (!s.post.began) {
      result = andThen(result, (x) => ({
        state: { ...x, post: { began: true, deadline: s.post?.deadline ?? now } },
        commands: [{ type: "run_post_call", deadline: s.post?.deadline ?? now }],
      }));
    } else if (now >= s.post.deadline) {
      result = andThen(result, (x) =>
        finalize(x, { ...NO_OUTPUTS, analysisError: "analysis_timeout" }, now),
      );
    }
  }
  if (result.state.sync.behind && !result.commands.some((c) => c.type === "sync")) {
    result = { ...result, commands: [...result.commands, { type: "sync" }] };
  }
  return result;
}

/** A live call whose media stream is connected and has not ended: its media must keep flowing. */
function mediaWatched(state: SessionState): boolean {
  const { call } = state;
  return call.status === "in_progress" && call.mediaConnected && call.mediaEnded === null;
}

function restored(state: SessionState): StepResult {
  if (state.call.status !== "in_progress" || !state.call.mediaConnected || state.interrupted)
    return { state, commands: [] };
  return { state: { ...state, interrupted: true }, commands: [] };
}

/** A due scheduled call: dial it, or end it `failed` with the guardrail it no longer passes. */
function recheckDone(state: SessionState, error: GuardrailToken | null, now: number): StepResult {
  if (state.call.status !== "queued" || state.dial.attempts !== 0) return { state, commands: [] };
  if (error) {
    // No conversation to analyse: its post-call work starts now, not at the next alarm.
    const failed = lifecycle(state, { type: "guardrail_failed", at: now, error });
    return andThen(failed, (s) => alarm(s, now));
  }
  return {
    state: { ...state, dial: { attempts: 1, dueAt: null } },
    commands: [{ type: "dial", attempt: 1 }],
  };
}

function dialSucceeded(state: SessionState, providerCallId: string, now: number): StepResult {
  if (isTerminal(state.call)) {
    // Canceled (or timed out) while the carrier was creating the call: withdraw it.
    if (state.call.providerCallId) return { state, commands: [] };
    return withSync(
      {
        state: { ...state, call: { ...state.call, providerCallId } },
        commands: [{ type: "hang_up", providerCallId, answered: false }],
      },
      now,
    );
  }
  return lifecycle(state, { type: "carrier_accepted", at: now, providerCallId });
}

function dialFailed(state: SessionState, retryable: boolean, now: number): StepResult {
  if (!retryable || state.dial.attempts >= MAX_DIAL_ATTEMPTS) {
    return lifecycle(state, { type: "placement_failed", at: now });
  }
  const dueAt = now + state.settings.dialRetryBaseMs * 2 ** (state.dial.attempts - 1);
  return { state: { ...state, dial: { ...state.dial, dueAt } }, commands: [] };
}

function carrier(
  state: SessionState,
  input: Extract<SessionInput, { type: "carrier" }>,
  now: number,
): StepResult {
  const known = state.call.providerCallId;
  if (known && input.callSid !== known) return { state, commands: [], refused: "wrong_call" };
  if (state.seen.includes(input.dedupeKey)) return { state, commands: [], refused: "replay" };
  const seen = { ...state, seen: [...state.seen, input.dedupeKey].slice(-MAX_SEEN) };
  // The phone rings: set the voice model up now, so the greeting starts as soon as it is answered.
  if (input.signal.kind === "progress" && state.call.status === "dialing" && !state.voicePrepared) {
    return { state: { ...seen, voicePrepared: true }, commands: [{ type: "prepare_voice" }] };
  }
  if (input.signal.kind === "machine" || input.signal.kind === "amd") {
    if (isTerminal(state.call)) return { state: seen, commands: [] };
    return carrierVerdict(seen, input.signal.answeredBy, now);
  }
  const hungUp =
    input.signal.kind === "ended" && state.call.status === "in_progress"
      ? { ...seen, answering: { ...seen.answering, farEndHungUp: true } }
      : seen;
  const event = callEventOf(input.signal, input.grantedMs, state.settings, now);
  return event ? lifecycle(hungUp, event) : { state: hungUp, commands: [] };
}

function callEventOf(
  signal: CarrierSignal,
  grantedMs: number | undefined,
  settings: EngineSettings,
  at: number,
): CallEvent | undefined {
  switch (signal.kind) {
    case "progress":
      return undefined;
    case "answered":
      return { type: "answered", at, maxDurationMs: grantedMs ?? settings.maxCallMs };
    case "machine":
    case "amd":
      return { type: "machine_detected", at, answeredBy: signal.answeredBy };
    case "ended":
      return {
        type: "carrier_ended",
        at,
        outcome: signal.outcome,
        durationSec: signal.durationSec,
      };
  }
}

function mediaStarted(state: SessionState, grantedMs: number | undefined, now: number): StepResult {
  // Media only flows once the call is answered, whatever order the callbacks arrive in.
  let result: StepResult = { state, commands: [] };
  if (needsGrant(state, { type: "media_started" })) {
    result = lifecycle(state, {
      type: "answered",
      at: now,
      maxDurationMs: grantedMs ?? state.settings.maxCallMs,
    });
  }
  const before = result.state.call;
  result = andThen(result, (s) => lifecycle(s, { type: "media_connected", at: now }));
  const after = result.state.call;
  if (!before.mediaConnected && after.mediaConnected && after.status === "in_progress") {
    const answeredAt = after.answeredAt ?? now;
    result = {
      state: { ...result.state, lastMediaAt: now },
      commands: [...result.commands, { type: "start_bridge", answeredAt }],
    };
  }
  return result;
}
