/**
 * Opt-out (issue 17): the person asks not to be called again. The agent acknowledges, calls
 * `opt_out`, and ends politely; the number goes on the account's do-not-call list with the
 * person's words as evidence. Offered on every call.
 */
import { stringArg, type ToolCall, type ToolDeclaration } from "./tool";
import type { TranscriptLine } from "./transcript";

export const OPT_OUT_TOOL = {
  name: "opt_out",
  description:
    "The person asked not to be called again. Call this, then acknowledge briefly, say goodbye and end the call.",
  parameters: {
    properties: {
      reason: { type: "string", description: "What the person said, in their words." },
    },
    required: [],
  },
} as const satisfies ToolDeclaration;

/** The evidence kept on the do-not-call entry: the person's last line, else the model's words. */
export function optOutEvidence(call: ToolCall, lines: readonly TranscriptLine[]): string {
  const said = [...lines].reverse().find((l) => l.speaker === "recipient");
  const text = said?.text ?? stringArg(call, "reason") ?? "asked not to be called again";
  return text.slice(0, 500);
}
