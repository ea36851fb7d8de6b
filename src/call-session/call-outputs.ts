/**
 * What a call leaves behind (transcript, latency, recording, analysis), and how the session's
 * state and outputs become the API's call record and the D1 row. Pure.
 */
import type { TranscriptLine } from "../analysis/transcript";
import { formatTranscript } from "../analysis/transcript";
import { toCallView } from "../calls/read-calls";
import type { CallView } from "../calls/schemas";
import type { CallProgress } from "../db/calls.queries";
import type { CallParams } from "./call-params";
import { type CallState, isTerminal } from "./call-state";
import type { LatencyStats } from "./turn-latency";

export type Extracted = Record<string, string | number | boolean | null>;
export type Evidence = Record<
  string,
  { line: number; speaker: "agent" | "recipient"; text: string; offsetMs: number } | null
>;

export type CallOutputs = {
  lines: TranscriptLine[];
  latency: LatencyStats | null;
  recordingKey: string | null;
  summary: string | null;
  extracted: Extracted | null;
  extractedEvidence: Evidence | null;
  analysisError: string | null;
};

export const NO_OUTPUTS: CallOutputs = {
  lines: [],
  latency: null,
  recordingKey: null,
  summary: null,
  extracted: null,
  extractedEvidence: null,
  analysisError: null,
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function sessionView(params: CallParams, state: CallState, outputs: CallOutputs): CallView {
  return toCallView(
    {
      id: params.callId,
      status: state.status,
      to: params.to,
      objective: params.objective,
      voice: params.voice,
      language: params.language,
      languageSource: params.languageSource,
      summary: outputs.summary,
      transcript: outputs.lines.length > 0 ? formatTranscript(outputs.lines) : null,
      extracted: outputs.extracted ? JSON.stringify(outputs.extracted) : null,
      recordingKey: outputs.recordingKey,
      createdAt: params.createdAt,
      startedAt: iso(state.answeredAt),
      endedAt: iso(state.endedAt),
      durationSec: state.durationSec,
      error: state.error,
      extractedEvidence: outputs.extractedEvidence
        ? JSON.stringify(outputs.extractedEvidence)
        : null,
      analysisError: outputs.analysisError,
      latencyTurns: outputs.latency?.turns ?? null,
      latencyP50Ms: outputs.latency?.p50Ms ?? null,
      latencyP95Ms: outputs.latency?.p95Ms ?? null,
    },
    params.publicBaseUrl,
  );
}

/**
 * The D1 row's fields. A call that has ended keeps showing its last live status until its
 * post-call work (recording, transcript, analysis) is done, so a poller that sees a terminal
 * status always sees the full record.
 */
export function rowProgress(
  state: CallState,
  outputs: CallOutputs,
  finalized: boolean,
): CallProgress {
  const live = {
    providerCallId: state.providerCallId,
    answeredBy: state.answeredBy,
    startedAt: iso(state.answeredAt),
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
    summary: outputs.summary,
    transcript: outputs.lines.length > 0 ? formatTranscript(outputs.lines) : null,
    extracted: outputs.extracted ? JSON.stringify(outputs.extracted) : null,
    extractedEvidence: outputs.extractedEvidence ? JSON.stringify(outputs.extractedEvidence) : null,
    analysisError: outputs.analysisError,
    recordingKey: outputs.recordingKey,
    latencyTurns: outputs.latency?.turns ?? null,
    latencyP50Ms: outputs.latency?.p50Ms ?? null,
    latencyP95Ms: outputs.latency?.p95Ms ?? null,
  };
}
