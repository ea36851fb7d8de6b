/** The shapes a post-call analysis produces, and its closed set of failure tokens. */
import type { Evidence, Extracted } from "../domain/call-record";

export type Analysis = { summary: string; extracted: Extracted; evidence: Evidence };

/**
 * Why an analysis could not be produced (the call record's `analysisError`):
 * - `llm_unavailable`: the LLM kept answering 429/5xx or was unreachable until the attempts ran
 *   out, or the next backoff would have passed the post-call deadline;
 * - `llm_rejected`: the LLM refused the request (4xx other than 429, or a blocked prompt);
 * - `malformed_answer`: the answer was not JSON or not of the requested shape;
 * - `analysis_timeout`: the post-call deadline arrived while a request was in flight (the call
 *   session also uses it when its watchdog cuts post-call work short).
 */
const ANALYSIS_ERRORS = [
  "llm_unavailable",
  "llm_rejected",
  "malformed_answer",
  "analysis_timeout",
] as const;
export type AnalysisErrorToken = (typeof ANALYSIS_ERRORS)[number];
