/** The CallAnalyzer port: Gemini generateContent, or the simulator's deterministic analysis. */

import type { AnalysisConfig } from "../env";
import type { Transport } from "../lib/loopback";
import type { CallAnalyzer } from "../ports";
import { analyzeCall } from "./analyze";
import type { EndedStatus } from "./outcome-summary";

export function analyzerFor(config: AnalysisConfig, transport: Transport): CallAnalyzer {
  return {
    analyze(call, state, lines, deadline) {
      const input = {
        status: state.status as EndedStatus,
        error: state.error,
        objective: call.objective,
        fields: call.fields,
        lines,
      };
      if (config.mode === "simulator") return analyzeCall(input, { mode: "simulator" });
      return analyzeCall(input, {
        mode: "gemini",
        gemini: { ...config, fetch: transport, deadline },
      });
    },
  };
}
