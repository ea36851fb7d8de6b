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
 */
import type { ToolCall, ToolResult } from "./agent-tools";
import {
  type Answering,
  type AnsweringAction,
  type AnsweringStep,
  type AnswerView,
  answererOfAmd,
  answerView,
  greetingEnded,
  greetingOverdue,
  leaveMessageNote,
  NO_ANSWERING,
  REPORT_ANSWERER_TOOL,
  reportedAnswerer,
  reportResult,
  settledStatus,
  verdict,
  voicemailOf,
} from "./answering";
import type { CallParams } from "./call-params";
import { type CallOutputs, NO_OUTPUTS, type SavedRecording, sessionView } from "./call-record";
import {
  type CallEvent,
  type CallLimits,
  type CallState,
  type Effect,
  initialState,
  isTerminal,
  transition,
} from "./call-state";
import type { CallStatus } from "./call-status";
import type { CarrierSignal } from "./carrier-signal";
import {
  feedDueAt,
  feedLine,
  flushFeed,
  NO_FEED,
  type SequencedLine,
  type TranscriptFeed,
} from "./live-transcript";
import { OPT_OUT_TOOL, optOutEvidence } from "./opt-out";
import {
  agentSpoke,
  holdDeadline,
  holdSecOf,
  NO_PHONE_TREE,
  type PhoneTreeState,
  PRESS_DIGITS_TOOL,
  pressDigits,
  pressedText,
  recipientKeyText,
  startHold,
  validRecipientKey,
  WAIT_ON_HOLD_TOOL,
} from "./phone-tree";
import {
  type AnsweredBy,
  ASK_REQUESTER_TOOL,
  askedQuestion,
  pendingQuestion,
  type Question,
  questionResult,
  questionView,
  requesterLineText,
} from "./questions";
import type { GuardrailToken } from "./schedule";
import type { TranscriptLine } from "./transcript";
import {
  MIN_TRANSFER_SEC,
  TRANSFER_CALL_TOOL,
  TRANSFER_RING_SEC,
  type TransferOutcome,
  type TransferState,
  transferRecordOf,
  transferTimeLimitSec,
  whisperFor,
} from "./transfer";
import {
  buildEvent,
  buildNoticeEvent,
  buildTranscriptEvent,
  type NoticeType,
  type WebhookEvent,
} from "./webhook-event";

/** Attempts at creating the call with the carrier, when it answers 429/5xx. */
export const MAX_DIAL_ATTEMPTS = 4;
/** After a failed D1 write or queue send, try again this much later. */
export const SYNC_RETRY_MS = 2000;
/** Carrier callbacks remembered per call for de-duplication (a call sees a handful). */
const MAX_SEEN = 64;
/**
 * A live media stream sends a frame every 20 ms, silence included; the shell reports that media
 * flows every MEDIA_HEARTBEAT_MS. No report for MEDIA_SILENCE_MS means the stream is gone even if
 * no close arrived (the runtime restarted): the call ends as media_lost, billed up to its last media.
 */
export const MEDIA_HEARTBEAT_MS = 5000;
export const MEDIA_SILENCE_MS = 15_000;

export type EngineSettings = {
  limits: CallLimits;
  /** Longest post-call work before the terminal record goes out with what is ready. */
  postCallBoundMs: number;
  /** First backoff step between dial attempts (doubles). */
  dialRetryBaseMs: number;
  /** Longest call, when no grant within the account's minutes was asked for. */
  maxCallMs: number;
};

export type SessionState = {
  params: CallParams;
  settings: EngineSettings;
  call: CallState;
  /** Dial attempts made, and when the next one is due (null: none due, or one in flight). */
  dial: { attempts: number; dueAt: number | null };
  /** De-duplication keys of carrier callbacks already applied. */
  seen: string[];
  lines: TranscriptLine[];
  /** Events created with a transition that D1 and the delivery queue do not have yet. */
  outbox: WebhookEvent[];
  /** How many events this call has created (numbers the event ids). */
  events: number;
  /** The D1 row or the outbox is behind this state; when to try again. */
  sync: { behind: boolean; retryAt: number | null };
  /** When media was last seen flowing (null before the stream started). */
  lastMediaAt: number | null;
  /** The object restarted while the call was live: what was only in memory (the recording's
   * unfinished audio, the model's context) is gone. */
  interrupted: boolean;
  /** The voice model was asked to set up while the phone rang. */
  voicePrepared: boolean;
  /** The recording's parts saved so far, should the object restart before it is complete. */
  recording: SavedRecording | null;
  /** Post-call work: due once the call ended; `began` once the shell started it. */
  post: { began: boolean; deadline: number } | null;
  finalized: boolean;
  outputs: CallOutputs;
  /** Who answered, and the voicemail message (domain/answering.ts). */
  answering: Answering;
  /** Menus pressed through and time on hold (phone-tree.ts). */
  phoneTree: PhoneTreeState;
  /** The hand-over to a person, once the agent asked for it (transfer.ts). */
  transfer: TransferState | null;
  /** Questions the agent asked its requester (questions.ts), pending one included. */
  questions: Question[];
  /** The person asked not to be called again: the evidence kept on the do-not-call entry. */
  optOut: { reason: string } | null;
  /** What GET …/stream sends, numbered from 1 (kept so a reconnect replays from Last-Event-ID). */
  liveLog: LiveEvent[];
  /** Transcript lines numbered, and those waiting for the next `call.transcript` event. */
  transcriptFeed: TranscriptFeed;
};

/** One Server-Sent Event: a status change (with the record), a transcript line, a question. */
export type LiveEvent = { seq: number; type: string; data: Record<string, unknown> };

export type SessionInput =
  | { type: "alarm" }
  | { type: "dial_succeeded"; providerCallId: string }
  | { type: "dial_failed"; retryable: boolean }
  | {
      type: "carrier";
      signal: CarrierSignal;
      callSid: string;
      dedupeKey: string;
      /** Call length granted within the account's minutes; the shell asks when `needsGrant`. */
      grantedMs?: number;
    }
  | { type: "media_started"; grantedMs?: number }
  | { type: "media_ended"; stopped: boolean }
  | { type: "media_flowing" }
  | { type: "recording_saved"; saved: SavedRecording }
  /** Write the row and the outbox to D1 again, whatever this state believes D1 has. */
  | { type: "resync" }
  /** The object was loaded again (eviction or restart) with this state. */
  | { type: "restored" }
  | { type: "transcript_line"; line: TranscriptLine }
  | { type: "agent_hung_up" }
  | { type: "model_lost" }
  | { type: "cancel" }
  | { type: "synced"; eventIds: string[] }
  | { type: "sync_failed" }
  | { type: "post_call_done"; outputs: CallOutputs }
  /** The voice model called one of its tools (end_call excepted: the bridge plays the goodbye). */
  | { type: "tool_called"; call: ToolCall }
  /** A scheduled call's guardrails, checked again when it is due: null passed, else the token. */
  | { type: "recheck_done"; error: GuardrailToken | null }
  /** The recheck could not read storage: try again a little later. */
  | { type: "recheck_failed" }
  /** The bridge's beep detector heard a beep after speech (a machine's greeting ended). */
  | { type: "beep_heard" }
  /** Long silence after speech while a machine's greeting played: a greeting with no beep ended. */
  | { type: "greeting_silent" }
  /** The far end pressed a key (the carrier's in-band detection, e.g. a Twilio `dtmf` frame). */
  | { type: "recipient_key"; digit: string }
  /** The carrier refused the transfer's call update. */
  | { type: "transfer_failed" }
  /** The transfer's Dial ended (its signed action callback). */
  | { type: "transfer_ended"; outcome: TransferOutcome; durationSec: number }

  /** The requester answered the agent's question (REST or MCP). */
  | { type: "question_answered"; questionId: string; answer: string; by: AnsweredBy };

export type SessionCommand =
  | { type: "dial"; attempt: number }
  /** A scheduled call is due: check its guardrails again (and hold its first minute) before dialing. */
  | { type: "recheck" }
  | { type: "hang_up"; providerCallId: string; answered: boolean }
  /** Connect and set up the voice model while the phone rings, so the greeting starts at once. */
  | { type: "prepare_voice" }
  | { type: "start_bridge"; answeredAt: number }
  | { type: "close_media" }
  | { type: "run_post_call"; deadline: number }
  | { type: "sync" }
  /** Tells the voice model what its tool call did; it carries on from there. */
  | { type: "tool_result"; call: ToolCall; result: ToolResult }
  /** Tells the voice model something it cannot hear itself (VoiceSession.inform). */
  | { type: "inform_model"; text: string }
  /** Lets the agent's audio through to the phone, or stops it (never over a machine's greeting). */
  | { type: "gate_agent_audio"; open: boolean }
  /** Plays keys as in-band DTMF into the call, the model's own audio held back meanwhile. */
  | { type: "play_dtmf"; digits: string }
  /** Hands the live call over to a person (the carrier dials them; the media stream ends). */
  | {
      type: "transfer";
      providerCallId: string;
      to: string;
      callerId: string;
      timeLimitSec: number;
      ringSec: number;
    };

/** Why an input changed nothing, for the callers that answer someone (callbacks, cancel). */
export type Refusal =
  | "replay"
  | "wrong_call"
  | "already_ended"
  | "question_not_found"
  | "question_closed";

export type StepResult = { state: SessionState; commands: SessionCommand[]; refused?: Refusal };

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

function transferCalled(state: SessionState, call: ToolCall, now: number): StepResult {
  const { params, call: c } = state;
  if (!params.transferTo) return answer(state, call, { error: "not_offered" });
  if (state.transfer) return answer(state, call, { error: "already_transferred" });
  if (c.status !== "in_progress" || !c.providerCallId || c.mediaEnded)
    return answer(state, call, { error: "not_connected" });
  const endsAt =
    c.answeredAt !== null && c.maxDurationMs !== null ? c.answeredAt + c.maxDurationMs : null;
  const timeLimitSec = transferTimeLimitSec(endsAt, now, state.settings.maxCallMs);
  if (timeLimitSec < MIN_TRANSFER_SEC) return answer(state, call, { error: "no_time_left" });
  const reason = typeof call.args.reason === "string" ? call.args.reason : undefined;
  const transfer: TransferState = {
    to: params.transferTo,
    atMs: Math.max(0, now - (c.answeredAt ?? now)),
    outcome: null,
    durationSec: null,
    whisper: whisperFor(params, reason),
    timeLimitSec,
  };
  const next = withLine({ ...state, transfer }, "agent", `[transferring to ${transfer.to}]`, now);
  return {
    state: next,
    commands: [
      {
        type: "transfer",
        providerCallId: c.providerCallId,
        to: transfer.to,
        callerId: params.from,
        timeLimitSec,
        ringSec: TRANSFER_RING_SEC,
      },
      { type: "tool_result", call, result: { result: "transferring", to: transfer.to } },
    ],
  };
}

/**
 * The media stream ends when the carrier runs the transfer's TwiML: the call is still live until
 * the Dial ends, so its end-of-stream grace covers the ring and the bridged leg.
 */
function transferWait(result: StepResult, now: number): StepResult {
  const { transfer, call } = result.state;
  if (!transfer || transfer.outcome !== null || call.deadline?.reason !== "stream_ended")
    return result;
  const at = now + (transfer.timeLimitSec + TRANSFER_RING_SEC) * 1000 + call.limits.endGraceMs;
  return {
    ...result,
    state: { ...result.state, call: { ...call, deadline: { at, reason: "stream_ended" } } },
  };
}

function transferEnded(
  state: SessionState,
  outcome: TransferOutcome,
  durationSec: number,
  now: number,
): StepResult {
  const t = state.transfer;
  if (!t || t.outcome !== null) return { state, commands: [] };
  const transfer = { ...t, outcome, durationSec };
  const text =
    outcome === "connected"
      ? `[transfer connected, ${durationSec} s]`
      : `[transfer ${outcome.replace("_", " ")}]`;
  let next = withLine({ ...state, transfer }, "recipient", text, now);
  // The carrier ends the call now (our answer to its callback); its final callback is due soon.
  const { call } = next;
  if (call.status === "in_progress" && call.mediaEnded)
    next = {
      ...next,
      call: { ...call, deadline: { at: now + call.limits.endGraceMs, reason: "stream_ended" } },
    };
  return withSync({ state: next, commands: [] }, now);
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

/** Every transcript line goes through here: the record, the live stream, transcript events. */
function addLine(state: SessionState, line: TranscriptLine, now: number): SessionState {
  const sending = state.params.liveEvents?.includes("transcript") ?? false;
  const fed = feedLine(state.transcriptFeed, line, sending, now);
  const next = withLive(
    { ...state, lines: insertByOffset(state.lines, line), transcriptFeed: fed.feed },
    "call.transcript",
    { ...fed.line },
  );
  return fed.batch ? withTranscriptEvent(next, fed.batch, now) : next;
}

/** Lines that waited for the once-a-second event, when due (or before the terminal event). */
function flushTranscript(state: SessionState, now: number, closing: boolean): SessionState {
  const flushed = flushFeed(state.transcriptFeed, now, closing);
  const next = { ...state, transcriptFeed: flushed.feed };
  return flushed.batch ? withTranscriptEvent(next, flushed.batch, now) : next;
}

function withTranscriptEvent(
  state: SessionState,
  lines: SequencedLine[],
  now: number,
): SessionState {
  const events = state.events + 1;
  const event = buildTranscriptEvent(eventId(state, events), now, state.params.callId, lines);
  return { ...state, events, outbox: [...state.outbox, event] };
}

function eventId(state: SessionState, n: number): string {
  return `evt_${state.params.callId.replaceAll("-", "")}${n}`;
}

/** A line the engine writes itself (keys, hold), stamped with the time since the answer. */
function withLine(
  state: SessionState,
  speaker: TranscriptLine["speaker"],
  text: string,
  now: number,
) {
  const offsetMs = Math.max(0, now - (state.call.answeredAt ?? now));
  return addLine(state, { speaker, text, offsetMs }, now);
}

function recipientKey(state: SessionState, digit: string, now: number): StepResult {
  if (state.call.status !== "in_progress" || !validRecipientKey(digit))
    return { state, commands: [] };
  return {
    state: withLine(state, "recipient", recipientKeyText(digit), now),
    commands: [
      { type: "inform_model", text: `The person pressed the key ${digit} on their phone.` },
    ],
  };
}

function pressDigitsCalled(state: SessionState, call: ToolCall, now: number): StepResult {
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

function waitOnHoldCalled(state: SessionState, call: ToolCall, now: number): StepResult {
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
function holdDueAt(state: SessionState): number | null {
  const { call } = state;
  const callEndsAt =
    call.status === "in_progress" && call.answeredAt !== null && call.maxDurationMs !== null
      ? call.answeredAt + call.maxDurationMs
      : null;
  if (call.status !== "in_progress") return null;
  return holdDeadline(state.phoneTree, state.params.maxHoldSec, callEndsAt);
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

function answer(state: SessionState, call: ToolCall, result: ToolResult): StepResult {
  return { state, commands: [{ type: "tool_result", call, result }] };
}

/** The model said who answered (report_answerer). */
function answererReported(state: SessionState, call: ToolCall, now: number): StepResult {
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
function carrierVerdict(state: SessionState, answeredBy: string, now: number): StepResult {
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

function sinceAnswer(state: SessionState, now: number): number {
  return now - (state.call.answeredAt ?? now);
}

/** Who answered and the voicemail message, as the record shows them. */
export function answerViewOf(state: SessionState): AnswerView {
  return answerView(
    state.answering,
    voicemailOf(state.params),
    state.call.answeredAt !== null,
    state.lines,
  );
}

/** Keeps the answering state and carries out what its rules asked for. */
function applyAnswering(
  state: SessionState,
  step: AnsweringStep,
  now: number,
  rawAnsweredBy?: string,
): StepResult {
  if (step.answering === state.answering && step.actions.length === 0)
    return { state, commands: [] };
  let result = withSync({ state: { ...state, answering: step.answering }, commands: [] }, now);
  for (const action of step.actions)
    result = then(result, (s) => answeringAction(s, action, now, rawAnsweredBy));
  return result;
}

function answeringAction(
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
    result = then(result, (s) => lifecycle(s, { type: "gave_up", at: now, error: "hold_timeout" }));
  }
  result = then(result, (s) => expireQuestion(s, now));
  result = then(result, (s) => ({ state: flushTranscript(s, now, false), commands: [] }));
  result = then(result, (s) => lifecycle(s, { type: "watchdog", at: now }));
  result = then(result, (s) =>
    isTerminal(s.call)
      ? { state: s, commands: [] }
      : applyAnswering(s, greetingOverdue(s.answering, now), now),
  );
  const lastMediaAt = result.state.lastMediaAt;
  if (mediaWatched(result.state) && lastMediaAt !== null && now >= lastMediaAt + MEDIA_SILENCE_MS) {
    result = then(result, (x) => lifecycle(x, { type: "media_silent", at: now, lastMediaAt }));
  }
  const s = result.state;
  if (s.post && !s.finalized) {
    if (!s.post.began) {
      result = then(result, (x) => ({
        state: { ...x, post: { began: true, deadline: s.post?.deadline ?? now } },
        commands: [{ type: "run_post_call", deadline: s.post?.deadline ?? now }],
      }));
    } else if (now >= s.post.deadline) {
      result = then(result, (x) =>
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
    return then(failed, (s) => alarm(s, now));
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
  result = then(result, (s) => lifecycle(s, { type: "media_connected", at: now }));
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

/** Applies a lifecycle event: the status change's event, its effects, and the start of post-call work. */
function lifecycle(state: SessionState, event: CallEvent): StepResult {
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

function effectCommand(call: CallState, effect: Effect): SessionCommand[] {
  if (effect.type !== "hangup" || !call.providerCallId) return [];
  return [{ type: "hang_up", providerCallId: call.providerCallId, answered: effect.answered }];
}

function finalize(state: SessionState, outputs: CallOutputs, now: number): StepResult {
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

/**
 * D1 and the queue must catch up with this state: a sync now, and (should it fail, or the object
 * die before it runs) the alarm tries again, so no transition or event is lost.
 */
function withSync(result: StepResult, now: number): StepResult {
  return {
    ...result,
    state: { ...result.state, sync: { behind: true, retryAt: now + SYNC_RETRY_MS } },
    commands: [...result.commands, { type: "sync" }],
  };
}

function withEvent(state: SessionState, status: CallStatus, at: number): SessionState {
  if (status === "queued") return state;
  const events = state.events + 1;
  const id = eventId(state, events);
  const view = sessionView(
    state.params,
    state.call,
    state.lines,
    state.outputs,
    answerViewOf(state),
    extrasOf(state),
  );
  const event = buildEvent(id, status, at, view);
  return withLive({ ...state, events, outbox: [...state.outbox, event] }, event.type, {
    call: view,
  });
}

function withLive(state: SessionState, type: string, data: Record<string, unknown>): SessionState {
  const seq = (state.liveLog.at(-1)?.seq ?? 0) + 1;
  return { ...state, liveLog: [...state.liveLog, { seq, type, data }] };
}

/** What the call view shows beyond the lifecycle: questions, opt-out. */
function extrasOf(state: SessionState) {
  return { questions: state.questions, optedOut: state.optOut !== null };
}

/** An event that is not a status change (a question, an opt-out), numbered like the others. */
function withNotice(
  state: SessionState,
  type: NoticeType,
  at: number,
  extra: Record<string, unknown> = {},
): SessionState {
  const events = state.events + 1;
  const id = eventId(state, events);
  const view = sessionView(
    state.params,
    state.call,
    state.lines,
    state.outputs,
    answerViewOf(state),
    extrasOf(state),
  );
  const event = buildNoticeEvent(id, type, at, view, extra);
  return withLive({ ...state, events, outbox: [...state.outbox, event] }, type, extra);
}

// --- Questions to the requester (questions.ts) and opt-out (opt-out.ts) ---

function askRequester(state: SessionState, call: ToolCall, now: number): StepResult {
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

function questionAnswered(
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
function expireQuestion(state: SessionState, now: number): StepResult {
  const q = pendingQuestion(state.questions);
  if (!q || now < q.expiresAt) return { state, commands: [] };
  return closeQuestion(state, { ...q, answeredAt: now, answeredBy: "timeout" }, now);
}

function closeQuestion(state: SessionState, closed: Question, now: number): StepResult {
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

function optOut(state: SessionState, call: ToolCall, now: number): StepResult {
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

function synced(state: SessionState, eventIds: string[]): StepResult {
  const done = new Set(eventIds);
  return {
    state: {
      ...state,
      outbox: state.outbox.filter((e) => !done.has(e.id)),
      sync: { behind: false, retryAt: null },
    },
    commands: [],
  };
}

/**
 * Lines in the order the speech happened: a line's text can arrive after later speech (Gemini's
 * input transcription is unordered), so it goes after every line that began no later than it
 * (stable: equal offsets keep their arrival order).
 */
function insertByOffset(lines: readonly TranscriptLine[], line: TranscriptLine): TranscriptLine[] {
  let i = lines.length;
  while (i > 0 && (lines[i - 1]?.offsetMs ?? 0) > line.offsetMs) i--;
  return [...lines.slice(0, i), line, ...lines.slice(i)];
}

function then(result: StepResult, next: (s: SessionState) => StepResult): StepResult {
  const r = next(result.state);
  return {
    state: r.state,
    commands: [...result.commands, ...r.commands],
    refused: result.refused ?? r.refused,
  };
}
