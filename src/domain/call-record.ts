/**
 * The call record: what a call leaves behind (transcript, latency, recording, analysis), and how a
 * session's state and outputs become the API's call view and the D1 row. Pure.
 */

import {
  ANSWERERS,
  type AnsweredBySource,
  type Answerer,
  type AnswerView,
  answererOfAmd,
  type VoicemailMessage,
} from "./answering";
import type { CallParams } from "./call-params";
import type { CallView } from "./call-schemas";
import { type CallState, isTerminal } from "./call-state";
import type { CallStatus } from "./call-status";
import { type DisclosureFacts, disclosureOf, FALLBACK_PRINCIPAL } from "./disclosure";
import {
  type PendingQuestionView,
  pendingQuestion,
  type Question,
  type QuestionView,
  questionView,
} from "./questions";
import { formatTranscript, type Speaker, type TranscriptLine } from "./transcript";
import type { TransferRecord } from "./transfer";

export type ExtractedValue = string | number | boolean | null;
/** Every requested field, keyed by name; `null` = the conversation did not say it. */
export type Extracted = Record<string, ExtractedValue>;
/** The transcript line a value came from (`line` = index into the call's transcript lines). */
export type EvidenceLine = { line: number; speaker: Speaker; text: string; offsetMs: number };
/** Per field: where its value was said, or `null` (no value, or no usable citation). */
export type Evidence = Record<string, EvidenceLine | null>;

/** The parts of a multipart recording saved so far: enough to complete it after a restart. */
export type SavedRecording = {
  uploadId: string;
  parts: { partNumber: number; etag: string }[];
};

/**
 * Response latency over a call's turns, and of its first reply: from the end of the person's
 * first words (typically "Hello?") to the agent's first audio after them. `firstReplyMs` is null
 * only on records from before it was measured.
 */
export type LatencyStats = {
  turns: number;
  p50Ms: number;
  p95Ms: number;
  firstReplyMs: number | null;
};

/** What post-call work produces; the transcript lines stay in the session state. */
export type CallOutputs = {
  latency: LatencyStats | null;
  recordingKey: string | null;
  /** The object restarted mid-call: the recording (if any) lacks what was only in memory. */
  recordingTruncated: boolean;
  summary: string | null;
  extracted: Extracted | null;
  extractedEvidence: Evidence | null;
  analysisError: string | null;
  /** Total seconds on hold (phone-tree.ts), stamped by the engine when the call is finalized. */
  holdSec?: number | null;
  /** The hand-over to a person, if the agent made one (transfer.ts), stamped likewise. */
  transfer?: TransferRecord | null;
};

export const NO_OUTPUTS: CallOutputs = {
  latency: null,
  recordingKey: null,
  recordingTruncated: false,
  summary: null,
  extracted: null,
  extractedEvidence: null,
  analysisError: null,
};

/** The columns of a call row that the API shows. */
export type CallRowView = {
  id: string;
  status: CallStatus;
  to: string;
  objective: string;
  voice: string;
  language: string;
  languageSource: CallView["languageSource"];
  summary: string | null;
  transcript: string | null;
  extracted: string | null;
  recordingKey: string | null;
  recordingTruncated: boolean;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  error: string | null;
  extractedEvidence: string | null;
  analysisError: string | null;
  latencyTurns: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyFirstReplyMs: number | null;
  scheduledFor: string | null;
  disclosureSpoken: boolean | null;
  disclosureAtMs: number | null;
  answeredBy: string | null;
  answeredByMs: number | null;
  answeredBySource: AnsweredBySource | null;
  /** JSON of the VoicemailMessage. */
  voicemailMessage: string | null;
  holdSec: number | null;
  /** JSON TransferRecord. */
  transfer: string | null;
  /** JSON array of the questions asked (questions.ts `Question`), or null when none. */
  questions?: string | null;
  optedOut?: boolean;
};

function recordingUrlOf(baseUrl: string, callId: string): string {
  return `${baseUrl}/v1/agent/calls/${callId}/recording`;
}

export function toCallView(row: CallRowView, baseUrl: string): CallView {
  const asked = row.questions ? (JSON.parse(row.questions) as Question[]) : [];
  const pending = isLive(row.status) ? pendingQuestion(asked) : undefined;
  return {
    id: row.id,
    status: row.status,
    to: row.to,
    objective: row.objective,
    voice: row.voice,
    language: row.language,
    languageSource: row.languageSource,
    summary: row.summary,
    transcript: row.transcript,
    extracted: row.extracted ? (JSON.parse(row.extracted) as Extracted) : null,
    recordingUrl: row.recordingKey ? recordingUrlOf(baseUrl, row.id) : null,
    recordingTruncated: row.recordingTruncated,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    durationSec: row.durationSec,
    error: row.error,
    extractedEvidence: row.extractedEvidence
      ? (JSON.parse(row.extractedEvidence) as Evidence)
      : null,
    analysisError: row.analysisError,
    scheduledFor: row.scheduledFor,
    disclosure: { spoken: row.disclosureSpoken ?? false, atMs: row.disclosureAtMs },
    responseLatency:
      row.latencyTurns && row.latencyP50Ms !== null && row.latencyP95Ms !== null
        ? {
            turns: row.latencyTurns,
            p50Ms: row.latencyP50Ms,
            p95Ms: row.latencyP95Ms,
            firstReplyMs: row.latencyFirstReplyMs,
          }
        : null,
    answeredBy: answererOfColumn(row.answeredBy),
    answeredByMs: row.answeredByMs,
    answeredBySource: row.answeredBySource,
    voicemailMessage: row.voicemailMessage
      ? (JSON.parse(row.voicemailMessage) as VoicemailMessage)
      : null,
    holdSec: row.holdSec,
    transfer: row.transfer ? (JSON.parse(row.transfer) as TransferRecord) : null,
    pendingQuestion: pending ? pendingView(questionView(pending)) : null,
    questions: asked.map(questionView),
    optedOut: row.optedOut ?? false,
  };
}

function isLive(status: CallStatus): boolean {
  return status === "queued" || status === "dialing" || status === "in_progress";
}

function pendingView(q: QuestionView): PendingQuestionView {
  return {
    id: q.id,
    question: q.question,
    options: q.options,
    askedAt: q.askedAt,
    expiresAt: q.expiresAt,
  };
}

/** The columns of what happened on the line beyond the lifecycle; written while the call runs. */
export type CallExtras = { questions: readonly Question[]; optedOut: boolean };

function extraColumns(extras: CallExtras | undefined) {
  if (!extras) return {};
  return {
    questions: extras.questions.length > 0 ? JSON.stringify(extras.questions) : null,
    optedOut: extras.optedOut,
  };
}

/** The answered_by column: an answerer, or (rows from before issue 14) Twilio's AnsweredBy. */
function answererOfColumn(value: string | null): Answerer | null {
  if (value === null) return null;
  if ((ANSWERERS as readonly string[]).includes(value)) return value as Answerer;
  return answererOfAmd(value).by;
}

/** The answer's columns, as the session writes them. */
function answerColumns(answer: AnswerView | undefined) {
  if (!answer) return {};
  return {
    answeredBy: answer.answeredBy,
    answeredByMs: answer.answeredByMs,
    answeredBySource: answer.answeredBySource,
    voicemailMessage: answer.voicemailMessage ? JSON.stringify(answer.voicemailMessage) : null,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What the disclosure rule is checked against: the name the agent was told to say, and whether it is recorded. */
function disclosureFacts(params: CallParams): DisclosureFacts {
  return {
    onBehalfOf: params.onBehalfOf ?? FALLBACK_PRINCIPAL,
    recorded: params.recorded ?? true,
  };
}

/** The disclosure columns, from the transcript's first agent line (null before there is one). */
function disclosureColumns(params: CallParams, lines: readonly TranscriptLine[]) {
  if (!lines.some((l) => l.speaker === "agent"))
    return { disclosureSpoken: null, disclosureAtMs: null };
  const spoken = lines.filter(
    (l): l is TranscriptLine & { speaker: "agent" | "recipient" } => l.speaker !== "requester",
  );
  const d = disclosureOf(spoken, disclosureFacts(params));
  return { disclosureSpoken: d.spoken, disclosureAtMs: d.atMs };
}

/** The columns written when the call's post-call work is done. */
function outputColumns(lines: readonly TranscriptLine[], outputs: CallOutputs) {
  return {
    summary: outputs.summary,
    transcript: lines.length > 0 ? formatTranscript(lines) : null,
    extracted: outputs.extracted ? JSON.stringify(outputs.extracted) : null,
    extractedEvidence: outputs.extractedEvidence ? JSON.stringify(outputs.extractedEvidence) : null,
    analysisError: outputs.analysisError,
    recordingKey: outputs.recordingKey,
    recordingTruncated: outputs.recordingTruncated,
    latencyTurns: outputs.latency?.turns ?? null,
    latencyP50Ms: outputs.latency?.p50Ms ?? null,
    latencyP95Ms: outputs.latency?.p95Ms ?? null,
    latencyFirstReplyMs: outputs.latency?.firstReplyMs ?? null,
    holdSec: outputs.holdSec ?? null,
    transfer: outputs.transfer ? JSON.stringify(outputs.transfer) : null,
  };
}

/** The call view as the session sees it now, for webhook payloads. */
export function sessionView(
  params: CallParams,
  state: CallState,
  lines: readonly TranscriptLine[],
  outputs: CallOutputs,
  answer?: AnswerView,
  extras?: CallExtras,
): CallView {
  return toCallView(
    {
      answeredBy: null,
      answeredByMs: null,
      answeredBySource: null,
      voicemailMessage: null,
      ...answerColumns(answer),
      id: params.callId,
      status: state.status,
      to: params.to,
      objective: params.objective,
      voice: params.voice,
      language: params.language,
      languageSource: params.languageSource,
      createdAt: params.createdAt,
      startedAt: iso(state.answeredAt),
      endedAt: iso(state.endedAt),
      durationSec: state.durationSec,
      error: state.error,
      scheduledFor: params.scheduledFor ?? null,
      ...disclosureColumns(params, lines),
      ...outputColumns(lines, outputs),
      ...extraColumns(extras),
    },
    params.publicBaseUrl,
  );
}

/** What the session writes onto its D1 row. */
export type CallProgress = Partial<
  Omit<
    CallRowView,
    "id" | "to" | "objective" | "voice" | "language" | "languageSource" | "createdAt"
  >
> & {
  providerCallId?: string | null;
  reservedSec?: number;
};

/**
 * The D1 row's fields. A call that has ended keeps showing its last live status until its
 * post-call work (recording, transcript, analysis) is done, so a poller that sees a terminal
 * status always sees the full record.
 */
export function rowProgress(
  params: CallParams,
  state: CallState,
  lines: readonly TranscriptLine[],
  outputs: CallOutputs,
  finalized: boolean,
  answer?: AnswerView,
  extras?: CallExtras,
): CallProgress {
  const live = {
    providerCallId: state.providerCallId,
    startedAt: iso(state.answeredAt),
    ...(answer ? answerColumns(answer) : { answeredBy: state.answeredBy }),
    ...extraColumns(extras),
  };
  if (!isTerminal(state)) return { ...live, status: state.status };
  if (!finalized) return live;
  return {
    ...live,
    status: state.status,
    error: state.error,
    endedAt: iso(state.endedAt),
    durationSec: state.durationSec,
    reservedSec: 0,
    ...disclosureColumns(params, lines),
    ...outputColumns(lines, outputs),
  };
}
