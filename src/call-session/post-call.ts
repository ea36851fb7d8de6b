/**
 * Post-call work for the CallSession: stop the bridge, complete the recording, analyse the
 * transcript. Each step fails on its own (a lost recording does not cost the summary).
 */
import { analyzeCall, type CallAnalysis } from "../analysis/analyze";
import type { EndedStatus } from "../analysis/outcome-summary";
import type { TranscriptLine } from "../analysis/transcript";
import type { AnalysisConfig } from "../env";
import type { Transport } from "../lib/loopback";
import type { CallOutputs } from "./call-outputs";
import type { CallParams } from "./call-params";
import type { CallState } from "./call-state";
import type { MediaBridge } from "./media-bridge";
import type { Recorder } from "./recorder";

export type PostCallInput = {
  params: CallParams;
  state: CallState;
  lines: TranscriptLine[];
  bridge: MediaBridge | undefined;
  recorder: Recorder | undefined;
  analysis: AnalysisConfig;
  transport: Transport;
  /** Epoch ms by which the analysis must be done. */
  deadline: number;
};

export async function runPostCall(input: PostCallInput): Promise<CallOutputs> {
  const result = input.bridge?.finish();
  let recordingKey: string | null = null;
  try {
    recordingKey = (await input.recorder?.finish()) ?? null;
  } catch (e) {
    console.error("recording failed", { callId: input.params.callId, error: String(e) });
    await input.recorder?.abort();
  }
  const analysis = await analyze(input);
  return { lines: input.lines, latency: result?.latency ?? null, recordingKey, ...analysis };
}

/** Summary and typed fields from the transcript. */
function analyze(input: PostCallInput): Promise<CallAnalysis> {
  const call = {
    status: input.state.status as EndedStatus,
    error: input.state.error,
    objective: input.params.objective,
    fields: input.params.fields,
    lines: input.lines,
  };
  if (input.analysis.mode === "simulator") return analyzeCall(call, { mode: "simulator" });
  return analyzeCall(call, {
    mode: "gemini",
    gemini: { ...input.analysis, fetch: input.transport, deadline: input.deadline },
  });
}
