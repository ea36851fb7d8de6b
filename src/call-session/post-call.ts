/**
 * Post-call work for the CallSession: complete the recording, analyse the transcript. Each step
 * fails on its own (a lost recording does not cost the summary). Runs outside the session's input
 * queue; the engine bounds it with its post-call deadline.
 */
import type { CallParams } from "../domain/call-params";
import type { CallOutputs, LatencyStats } from "../domain/call-record";
import type { CallState } from "../domain/call-state";
import type { TranscriptLine } from "../domain/transcript";
import type { CallAnalyzer, RecordingSink } from "../ports";

export type PostCallInput = {
  call: CallParams;
  state: CallState;
  lines: readonly TranscriptLine[];
  latency: LatencyStats | null;
  recorder: RecordingSink | undefined;
  /** Completes what a recorder lost in a restart had saved. */
  savedRecording: (() => Promise<string | undefined>) | undefined;
  /** The object restarted while the call was live. */
  interrupted: boolean;
  analyzer: CallAnalyzer;
  /** Epoch ms by which the analysis must be done. */
  deadline: number;
};

export async function runPostCall(input: PostCallInput): Promise<CallOutputs> {
  let recordingKey: string | null = null;
  try {
    const finished = input.recorder ? input.recorder.finish() : input.savedRecording?.();
    recordingKey = (await finished) ?? null;
  } catch (e) {
    console.error("recording failed", { callId: input.call.callId, error: String(e) });
    await input.recorder?.abort();
  }
  const analysis = await input.analyzer.analyze(
    input.call,
    input.state,
    input.lines,
    input.deadline,
  );
  return {
    latency: input.latency,
    recordingKey,
    recordingTruncated: input.interrupted,
    ...analysis,
  };
}
