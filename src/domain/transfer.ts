/**
 * Transfer to a person (issue 15). With `transferTo` on the request, the model is offered
 * `transfer_call`; once the agent's short line has played, the call is handed over by the carrier
 * (a `<Dial>` of `transferTo` with the call's caller ID, a time limit within the call's remaining
 * length, and a whisper of what the call was about to the person before the legs join). The
 * Dial's signed action callback reports how it went; then the call ends `completed` and the record
 * has `transfer`. The call's own length, and so the minute cap, spans the bridged leg: the carrier
 * keeps the call up while the person talks. Pure.
 */

import type { CallParams } from "./call-params";
import type { ToolDeclaration } from "./tool";

export const TRANSFER_CALL_TOOL = {
  name: "transfer_call",
  description:
    "Hand the call over to a human colleague of your client. First tell the person in one short sentence that you are transferring them, then call this.",
  parameters: {
    properties: { reason: { type: "string", description: "Why, in a few words." } },
    required: [],
  },
} as const satisfies ToolDeclaration;

export const TRANSFER_OUTCOMES = ["connected", "no_answer", "busy", "failed"] as const;
export type TransferOutcome = (typeof TRANSFER_OUTCOMES)[number];

/** What the record says about a transfer. `atMs`: since the answer. */
export type TransferRecord = {
  to: string;
  atMs: number;
  outcome: TransferOutcome | null;
  durationSec: number | null;
};

export type TransferState = TransferRecord & {
  /** The sentence whispered to the person before the legs join. */
  whisper: string;
  timeLimitSec: number;
};

/** Longest ring of the person before the Dial gives up (Twilio's `timeout`, seconds). */
export const TRANSFER_RING_SEC = 30;
/** A transfer needs at least this long left of the call to be worth starting. */
export const MIN_TRANSFER_SEC = 10;

/** The seconds the bridged leg may last: what is left of the call's granted length. */
export function transferTimeLimitSec(callEndsAt: number | null, now: number, fallbackMs: number) {
  const remainingMs = callEndsAt === null ? fallbackMs : callEndsAt - now;
  return Math.max(0, Math.floor(remainingMs / 1000) - TRANSFER_RING_SEC);
}

/** The whisper: one sentence on what the call was about. */
export function whisperFor(params: CallParams, reason: string | undefined): string {
  const objective = params.objective
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!?]+$/, "");
  const why = reason ? ` (${reason.replace(/\s+/g, " ").trim().slice(0, 120)})` : "";
  return `An AI assistant is transferring a call to you about: ${objective.slice(0, 300)}; the person asked to speak with someone${why}.`;
}

/** Twilio's DialCallStatus → our outcome. */
export function transferOutcomeOf(dialCallStatus: string): TransferOutcome {
  switch (dialCallStatus) {
    case "completed":
    case "answered":
      return "connected";
    case "no-answer":
      return "no_answer";
    case "busy":
      return "busy";
    default:
      return "failed";
  }
}

export function transferRecordOf(t: TransferState | null): TransferRecord | null {
  return t ? { to: t.to, atMs: t.atMs, outcome: t.outcome, durationSec: t.durationSec } : null;
}
