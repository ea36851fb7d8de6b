/**
 * The hand-over to a person (transfer.ts), as session steps: the tool call, the wait while the
 * Dial runs, and its outcome.
 */
import type { ToolCall } from "../tool";
import {
  MIN_TRANSFER_SEC,
  TRANSFER_RING_SEC,
  type TransferOutcome,
  type TransferState,
  transferTimeLimitSec,
  whisperFor,
} from "../transfer";
import { answer, withLine, withSync } from "./record";
import type { SessionState, StepResult } from "./types";

export function transferCalled(state: SessionState, call: ToolCall, now: number): StepResult {
  const { params, call: c } = state;
  if (!params.transferTo) return answer(state, call, { error: "not_offered" });
  if (state.transfer) return answer(state, call, { error: "already_transferred" });
  if (c.status !== "in_progress" || !c.providerCallId || c.mediaEnded)
    return answer(state, call, { error: "not_connected" });
  const endsAt =
    c.answeredAt !== null && c.maxDurationMs !== null ? c.answeredAt + c.maxDurationMs : null;
  const timeLimitSec = transferTimeLimitSec(endsAt, now, state.settings.maxCallMs);
  if (timeLimitSec < MIN_TRANSFER_SEC) return answer(state, call, { error: "no_time_left" });
  const reason = typeof call.args.reason === "string" ? call.args.reason : undefined;
  const transfer: TransferState = {
    to: params.transferTo,
    atMs: Math.max(0, now - (c.answeredAt ?? now)),
    outcome: null,
    durationSec: null,
    whisper: whisperFor(params, reason),
    timeLimitSec,
  };
  const next = withLine({ ...state, transfer }, "agent", `[transferring to ${transfer.to}]`, now);
  return {
    state: next,
    commands: [
      {
        type: "transfer",
        providerCallId: c.providerCallId,
        to: transfer.to,
        callerId: params.from,
        timeLimitSec,
        ringSec: TRANSFER_RING_SEC,
      },
      { type: "tool_result", call, result: { result: "transferring", to: transfer.to } },
    ],
  };
}

/**
 * The media stream ends when the carrier runs the transfer's TwiML: the call is still live until
 * the Dial ends, so its end-of-stream grace covers the ring and the bridged leg.
 */
export function transferWait(result: StepResult, now: number): StepResult {
  const { transfer, call } = result.state;
  if (!transfer || transfer.outcome !== null || call.deadline?.reason !== "stream_ended")
    return result;
  const at = now + (transfer.timeLimitSec + TRANSFER_RING_SEC) * 1000 + call.limits.endGraceMs;
  return {
    ...result,
    state: { ...result.state, call: { ...call, deadline: { at, reason: "stream_ended" } } },
  };
}

export function transferEnded(
  state: SessionState,
  outcome: TransferOutcome,
  durationSec: number,
  now: number,
): StepResult {
  const t = state.transfer;
  if (!t || t.outcome !== null) return { state, commands: [] };
  const transfer = { ...t, outcome, durationSec };
  const text =
    outcome === "connected"
      ? `[transfer connected, ${durationSec} s]`
      : `[transfer ${outcome.replace("_", " ")}]`;
  let next = withLine({ ...state, transfer }, "recipient", text, now);
  // The carrier ends the call now (our answer to its callback); its final callback is due soon.
  const { call } = next;
  if (call.status === "in_progress" && call.mediaEnded)
    next = {
      ...next,
      call: { ...call, deadline: { at: now + call.limits.endGraceMs, reason: "stream_ended" } },
    };
  return withSync({ state: next, commands: [] }, now);
}
