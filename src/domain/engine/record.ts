/**
 * What every step may write besides the lifecycle: transcript lines (to the record, the live
 * stream and the transcript events), webhook events in the outbox, and keeping D1 in step.
 */

import { type AnswerView, answerView, voicemailOf } from "../answering";
import { sessionView } from "../call-record";
import type { CallStatus } from "../call-status";
import { feedLine, flushFeed, type SequencedLine } from "../live-transcript";
import type { ToolCall, ToolResult } from "../tool";
import type { TranscriptLine } from "../transcript";
import {
  buildEvent,
  buildNoticeEvent,
  buildTranscriptEvent,
  type NoticeType,
} from "../webhook-event";
import { type SessionState, type StepResult, SYNC_RETRY_MS } from "./types";

/** Every transcript line goes through here: the record, the live stream, transcript events. */
export function addLine(state: SessionState, line: TranscriptLine, now: number): SessionState {
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
export function flushTranscript(state: SessionState, now: number, closing: boolean): SessionState {
  const flushed = flushFeed(state.transcriptFeed, now, closing);
  const next = { ...state, transcriptFeed: flushed.feed };
  return flushed.batch ? withTranscriptEvent(next, flushed.batch, now) : next;
}

export function withTranscriptEvent(
  state: SessionState,
  lines: SequencedLine[],
  now: number,
): SessionState {
  const events = state.events + 1;
  const event = buildTranscriptEvent(eventId(state, events), now, state.params.callId, lines);
  return { ...state, events, outbox: [...state.outbox, event] };
}

export function eventId(state: SessionState, n: number): string {
  return `evt_${state.params.callId.replaceAll("-", "")}${n}`;
}

/** A line the engine writes itself (keys, hold), stamped with the time since the answer. */
export function withLine(
  state: SessionState,
  speaker: TranscriptLine["speaker"],
  text: string,
  now: number,
) {
  const offsetMs = Math.max(0, now - (state.call.answeredAt ?? now));
  return addLine(state, { speaker, text, offsetMs }, now);
}

export function answer(state: SessionState, call: ToolCall, result: ToolResult): StepResult {
  return { state, commands: [{ type: "tool_result", call, result }] };
}

export function sinceAnswer(state: SessionState, now: number): number {
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

/**
 * D1 and the queue must catch up with this state: a sync now, and (should it fail, or the object
 * die before it runs) the alarm tries again, so no transition or event is lost.
 */
export function withSync(result: StepResult, now: number): StepResult {
  return {
    ...result,
    state: { ...result.state, sync: { behind: true, retryAt: now + SYNC_RETRY_MS } },
    commands: [...result.commands, { type: "sync" }],
  };
}

export function withEvent(state: SessionState, status: CallStatus, at: number): SessionState {
  if (status === "queued") return state;
  const events = state.events + 1;
  const view = viewOf(state);
  const event = buildEvent(eventId(state, events), status, at, view);
  return withLive({ ...state, events, outbox: [...state.outbox, event] }, event.type, {
    call: view,
  });
}

export function withLive(
  state: SessionState,
  type: string,
  data: Record<string, unknown>,
): SessionState {
  const seq = (state.liveLog.at(-1)?.seq ?? 0) + 1;
  return { ...state, liveLog: [...state.liveLog, { seq, type, data }] };
}

/** The call as the API shows it now, as events carry it. */
function viewOf(state: SessionState) {
  return sessionView(
    state.params,
    state.call,
    state.lines,
    state.outputs,
    answerViewOf(state),
    extrasOf(state),
  );
}

/** What the call view shows beyond the lifecycle: questions, opt-out. */
export function extrasOf(state: SessionState) {
  return { questions: state.questions, optedOut: state.optOut !== null };
}

/** An event that is not a status change (a question, an opt-out), numbered like the others. */
export function withNotice(
  state: SessionState,
  type: NoticeType,
  at: number,
  extra: Record<string, unknown> = {},
): SessionState {
  const events = state.events + 1;
  const event = buildNoticeEvent(eventId(state, events), type, at, viewOf(state), extra);
  return withLive({ ...state, events, outbox: [...state.outbox, event] }, type, extra);
}

export function synced(state: SessionState, eventIds: string[]): StepResult {
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
export function insertByOffset(
  lines: readonly TranscriptLine[],
  line: TranscriptLine,
): TranscriptLine[] {
  let i = lines.length;
  while (i > 0 && (lines[i - 1]?.offsetMs ?? 0) > line.offsetMs) i--;
  return [...lines.slice(0, i), line, ...lines.slice(i)];
}

export function andThen(result: StepResult, next: (s: SessionState) => StepResult): StepResult {
  const r = next(result.state);
  return {
    state: r.state,
    commands: [...result.commands, ...r.commands],
    refused: result.refused ?? r.refused,
  };
}
