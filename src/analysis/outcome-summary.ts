/**
 * What to say about a call that did not complete (voicemail, no answer, declined, failed), without
 * asking an LLM: there was no conversation to analyse, or only the start of one, so the summary
 * states what happened and every requested field is present and `null` (nothing was said that
 * could fill it; guessing from a fragment would be a hallucinated value).
 */
import type { CallStatus } from "../domain/call-status";

export type EndedStatus = Exclude<CallStatus, "queued" | "dialing" | "in_progress">;
export type IncompleteStatus = Exclude<EndedStatus, "completed">;

/** Why a failed call failed, by the call's `error` token (call-state.ts). */
const FAILURE_REASONS: Record<string, string> = {
  placement_failed: "the carrier could not place it",
  over_minute_cap: "the account's minute allowance ran out",
  model_lost: "the connection to the voice model was lost",
  canceled: "it was canceled",
  ring_timeout: "it did not connect before the ring timeout",
  media_not_connected: "the audio stream never connected",
  media_lost: "the audio stream was lost",
  carrier_failed: "the carrier reported a failure",
};

/** A short, deterministic account of a call that ended without completing. */
export function outcomeSummary(
  status: IncompleteStatus,
  error: string | null,
  answered: boolean,
): string {
  switch (status) {
    case "voicemail":
      return "The call reached voicemail, so no conversation took place and nothing was extracted.";
    case "no_answer":
      return "The call was not answered, so no conversation took place and nothing was extracted.";
    case "declined":
      return "The recipient declined the call, so no conversation took place and nothing was extracted.";
    case "failed": {
      const because = `because ${(error && FAILURE_REASONS[error]) || "of a technical failure"}`;
      return answered
        ? `The call was answered but ended early ${because}; nothing was extracted.`
        : `The call failed ${because}; no conversation took place and nothing was extracted.`;
    }
  }
}

/** A completed call whose transcript is empty. */
export const SILENT_CALL_SUMMARY = "The call connected but nothing was said.";
