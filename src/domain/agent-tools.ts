/**
 * The agent's abilities on the line, as tools offered to the realtime voice model (design.md
 * "What answers the phone"). Pure data: each provider turns a declaration into its own wire form,
 * the bridge forwards the model's calls to the engine, and the engine decides what each does to
 * the call and what the model is told back. A tool is offered only when the request enables it.
 */
import { REPORT_ANSWERER_TOOL } from "./answering";
import type { CallParams } from "./call-params";
import { OPT_OUT_TOOL } from "./opt-out";
import { PRESS_DIGITS_TOOL, WAIT_ON_HOLD_TOOL } from "./phone-tree";
import { ASK_REQUESTER_TOOL } from "./questions";
import type { ToolDeclaration } from "./tool";
import { TRANSFER_CALL_TOOL } from "./transfer";

export const END_CALL_TOOL = {
  name: "end_call",
  description:
    "Hang up the phone call. Use it after saying goodbye, when the objective is done or cannot be done, when you reach voicemail, or when the person asks to end the call.",
  parameters: {
    properties: { reason: { type: "string", description: "Why the call ends, in a few words." } },
    required: [],
  },
} as const satisfies ToolDeclaration;

/** The tools offered on this call. */
export function toolsFor(call: CallParams): ToolDeclaration[] {
  return [
    END_CALL_TOOL,
    REPORT_ANSWERER_TOOL,
    PRESS_DIGITS_TOOL,
    WAIT_ON_HOLD_TOOL,
    ...(call.transferTo ? [TRANSFER_CALL_TOOL] : []),
    OPT_OUT_TOOL,
    ...(call.questionTimeoutSec ? [ASK_REQUESTER_TOOL] : []),
  ];
}
