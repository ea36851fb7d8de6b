/**
 * Post-call analysis of one call: the call record's `summary`, `extracted`, `extractedEvidence`
 * and `analysisError`.
 *
 * - A call that did not complete gets a deterministic outcome summary and every field `null`; no
 *   LLM is asked (there is no conversation to extract from).
 * - A completed call with an empty transcript: "nothing was said", every field `null`.
 * - A completed call with a transcript: the simulator's deterministic analysis, or Gemini's answer;
 *   either way the answer is validated against the declared field types.
 * - If the LLM fails, the call keeps its status; `summary`, `extracted` and `extractedEvidence`
 *   are `null` and `analysisError` says why. So `null` in a field means "not said", and
 *   `extracted: null` means "no analysis".
 * Never throws for an LLM failure.
 */

import type { Evidence, Extracted } from "../domain/call-record";
import type { FieldSpec } from "../domain/call-schemas";
import type { TranscriptLine } from "../domain/transcript";
import { type GeminiClientOptions, generateAnalysis } from "./gemini-client";
import { type EndedStatus, outcomeSummary, SILENT_CALL_SUMMARY } from "./outcome-summary";
import { buildAnalysisRequest } from "./schema";
import { simulatedAnswer } from "./simulated-analysis";
import type { AnalysisErrorToken } from "./types";
import { allNull, validateAnalysis } from "./validate";

export type AnalyzeCallInput = {
  /** The call's terminal status. */
  status: EndedStatus;
  /** The call's error token (failed calls), or null. */
  error: string | null;
  objective: string;
  fields: readonly FieldSpec[];
  lines: readonly TranscriptLine[];
};

export type AnalysisDeps = { mode: "simulator" } | { mode: "gemini"; gemini: GeminiClientOptions };

export type CallAnalysis = {
  summary: string | null;
  extracted: Extracted | null;
  extractedEvidence: Evidence | null;
  analysisError: AnalysisErrorToken | null;
};

function noValues(summary: string, fields: readonly FieldSpec[]): CallAnalysis {
  const { extracted, evidence } = allNull(fields);
  return { summary, extracted, extractedEvidence: evidence, analysisError: null };
}

const failed = (token: AnalysisErrorToken): CallAnalysis => ({
  summary: null,
  extracted: null,
  extractedEvidence: null,
  analysisError: token,
});

export async function analyzeCall(
  input: AnalyzeCallInput,
  deps: AnalysisDeps,
): Promise<CallAnalysis> {
  const { status, fields, lines } = input;
  if (status !== "completed") {
    return noValues(outcomeSummary(status, input.error, lines.length > 0), fields);
  }
  if (lines.length === 0) return noValues(SILENT_CALL_SUMMARY, fields);

  let answer: unknown;
  if (deps.mode === "simulator") {
    answer = simulatedAnswer(input.objective, fields, lines);
  } else {
    const request = buildAnalysisRequest({ objective: input.objective, fields, status, lines });
    const result = await generateAnalysis(request, deps.gemini);
    if (!result.ok) {
      console.warn("call analysis failed", { error: result.error });
      return failed(result.error);
    }
    answer = result.value;
  }
  const analysis = validateAnalysis(answer, fields, lines);
  if (!analysis.ok) {
    console.warn("call analysis failed", { error: analysis.error });
    return failed(analysis.error);
  }
  return {
    summary: analysis.value.summary,
    extracted: analysis.value.extracted,
    extractedEvidence: analysis.value.evidence,
    analysisError: null,
  };
}
