/**
 * The call state machine. Pure: (state, event) → (state, effects). The CallSession Durable Object
 * persists the state before acting on the effects. Status never moves backward: a terminal status
 * absorbs every later event, and stale carrier callbacks (ringing after answer) change nothing.
 *
 * Every non-terminal state carries one watchdog deadline, so every accepted call ends:
 *   queued      → dial_timeout   (the carrier never took the call)
 *   dialing     → ring_timeout   (no answer, busy or failure reported in time)
 *   in_progress → media_timeout  (answered but the media stream never connected)
 *               → max_duration   (the length limit, bounded by the account's remaining minutes)
 *               → stream_ended   (media stopped normally; the carrier's final callback is late)
 *               → media_lost     (media socket dropped without a stop)
 */
import { type CallStatus, TERMINAL_STATUSES } from "./call-status";

export type WatchdogReason =
  | "dial_timeout"
  | "ring_timeout"
  | "media_timeout"
  | "max_duration"
  | "stream_ended"
  | "media_lost";

export type CallLimits = {
  /** Longest wait for the carrier to accept the call, retries included. */
  dialMs: number;
  /** Longest ring before we give up on the carrier reporting an outcome. */
  ringMs: number;
  /** Longest wait for the media stream after the answer. */
  mediaConnectMs: number;
  /** Grace for the carrier's final callback after the media stream ends. */
  endGraceMs: number;
};

export type CallState = {
  status: CallStatus;
  providerCallId: string | null;
  answeredAt: number | null;
  endedAt: number | null;
  durationSec: number | null;
  answeredBy: string | null;
  error: string | null;
  mediaConnected: boolean;
  /** How the media stream ended while the call was live, if it did. */
  mediaEnded: "stopped" | "lost" | null;
  /** Set at answer: the call may last this long. */
  maxDurationMs: number | null;
  deadline: { at: number; reason: WatchdogReason } | null;
  limits: CallLimits;
};

export type CarrierOutcome = "completed" | "busy" | "no_answer" | "failed" | "canceled";

export type CallEvent =
  | { type: "carrier_accepted"; at: number; providerCallId: string }
  | { type: "placement_failed"; at: number }
  /** A scheduled call failed a guardrail checked again at dial time (do_not_call, …). */
  | { type: "guardrail_failed"; at: number; error: string }
  | { type: "ringing"; at: number }
  | { type: "answered"; at: number; maxDurationMs: number }
  | { type: "machine_detected"; at: number; answeredBy: string }
  | { type: "carrier_ended"; at: number; outcome: CarrierOutcome; durationSec?: number }
  | { type: "media_connected"; at: number }
  | { type: "media_closed"; at: number; stopped: boolean }
  | { type: "agent_hangup"; at: number }
  | { type: "model_lost"; at: number }
  /** No media for too long (the runtime restarted, or the stream died without a close): the call
   * ended when its media stopped, and is billed up to then. */
  | { type: "media_silent"; at: number; lastMediaAt: number }
  | { type: "cancel"; at: number }
  | { type: "watchdog"; at: number }
  /** The session's own rules end the call (a menu that loops, a hold that runs out). */
  | { type: "gave_up"; at: number; error: "ivr_stuck" | "hold_timeout" };

export type Effect = { type: "hangup"; answered: boolean };

export type Transition = { state: CallState; changed: boolean; effects: Effect[] };

export function initialState(at: number, limits: CallLimits): CallState {
  return {
    status: "queued",
    providerCallId: null,
    answeredAt: null,
    endedAt: null,
    durationSec: null,
    answeredBy: null,
    error: null,
    mediaConnected: false,
    mediaEnded: null,
    maxDurationMs: null,
    deadline: { at: at + limits.dialMs, reason: "dial_timeout" },
    limits,
  };
}

export function isTerminal(state: CallState): boolean {
  return TERMINAL_STATUSES.has(state.status);
}

const same = (state: CallState): Transition => ({ state, changed: false, effects: [] });

export function transition(state: CallState, event: CallEvent): Transition {
  if (isTerminal(state)) return same(state);
  const s = state;
  switch (event.type) {
    case "carrier_accepted":
      if (s.status !== "queued") {
        return s.providerCallId ? same(s) : changed({ ...s, providerCallId: event.providerCallId });
      }
      return changed({
        ...s,
        status: "dialing",
        providerCallId: event.providerCallId,
        deadline: { at: event.at + s.limits.ringMs, reason: "ring_timeout" },
      });

    case "placement_failed":
      return end(s, event.at, "failed", "placement_failed", false);

    case "guardrail_failed":
      return end(s, event.at, "failed", event.error, false);

    case "ringing":
      return same(s);

    case "answered":
      if (s.status === "in_progress") return same(s);
      // Concurrent calls already hold every remaining minute of the account's cap.
      if (event.maxDurationMs <= 0)
        return end({ ...s, answeredAt: event.at }, event.at, "failed", "over_minute_cap", true);
      return changed(
        live({
          ...s,
          status: "in_progress",
          answeredAt: event.at,
          maxDurationMs: event.maxDurationMs,
        }),
      );

    case "machine_detected":
      return end(
        { ...s, answeredBy: event.answeredBy },
        event.at,
        "voicemail",
        null,
        s.providerCallId !== null,
      );

    case "carrier_ended":
      return carrierEnded(s, event.at, event.outcome, event.durationSec);

    case "media_connected":
      if (s.status !== "in_progress" || s.mediaConnected) return same(s);
      return changed(live({ ...s, mediaConnected: true }));

    case "media_closed":
      if (s.status !== "in_progress" || s.mediaEnded) return same(s);
      return changed({
        ...s,
        mediaEnded: event.stopped ? "stopped" : "lost",
        deadline: {
          at: event.at + s.limits.endGraceMs,
          reason: event.stopped ? "stream_ended" : "media_lost",
        },
      });

    case "agent_hangup":
      if (s.status !== "in_progress") return same(s);
      return end(s, event.at, "completed", null, true);

    case "model_lost":
      if (s.status !== "in_progress") return same(s);
      return end(s, event.at, "failed", "model_lost", true);

    case "media_silent":
      if (s.status !== "in_progress") return same(s);
      return end(s, Math.max(s.answeredAt ?? 0, event.lastMediaAt), "failed", "media_lost", true);

    case "cancel":
      return end(s, event.at, "failed", "canceled", s.providerCallId !== null);

    case "watchdog":
      return watchdog(s, event.at);

    case "gave_up":
      if (s.status !== "in_progress") return same(s);
      return end(s, event.at, "failed", event.error, true);
  }
}

/** In a live call, the deadline is the earliest of the media-connect and length limits. */
function live(s: CallState): CallState {
  const answeredAt = s.answeredAt ?? 0;
  const maxEnd = answeredAt + (s.maxDurationMs ?? 0);
  const deadline: CallState["deadline"] =
    !s.mediaConnected && answeredAt + s.limits.mediaConnectMs < maxEnd
      ? { at: answeredAt + s.limits.mediaConnectMs, reason: "media_timeout" }
      : { at: maxEnd, reason: "max_duration" };
  return { ...s, deadline };
}

function watchdog(s: CallState, at: number): Transition {
  if (!s.deadline || at < s.deadline.at) return same(s);
  const hasCarrierCall = s.providerCallId !== null;
  switch (s.deadline.reason) {
    case "dial_timeout":
      return end(s, at, "failed", "placement_failed", hasCarrierCall);
    case "ring_timeout":
      return end(s, at, "failed", "ring_timeout", hasCarrierCall);
    case "media_timeout":
      return end(s, at, "failed", "media_not_connected", true);
    case "max_duration":
      return end(s, at, "completed", null, true);
    case "stream_ended":
      return end(s, at, "completed", null, true);
    case "media_lost":
      return end(s, at, "failed", "media_lost", true);
  }
}

function carrierEnded(
  s: CallState,
  at: number,
  outcome: CarrierOutcome,
  durationSec: number | undefined,
): Transition {
  switch (outcome) {
    case "busy":
      return end(s, at, "declined", null, false);
    case "no_answer":
      return end(s, at, "no_answer", null, false);
    case "canceled":
      return end(s, at, "failed", "canceled", false, durationSec);
    case "failed":
      return end(s, at, "failed", "carrier_failed", false, durationSec);
    case "completed":
      if (s.status === "in_progress") return end(s, at, "completed", null, false, durationSec);
      // The answer callback was lost or overtaken: a positive duration proves the call was answered.
      if (durationSec && durationSec > 0) {
        return end(
          { ...s, answeredAt: at - durationSec * 1000 },
          at,
          "completed",
          null,
          false,
          durationSec,
        );
      }
      return end(s, at, "failed", "carrier_failed", false);
  }
}

function end(
  s: CallState,
  at: number,
  status: CallStatus,
  error: string | null,
  hangup: boolean,
  carrierDurationSec?: number,
): Transition {
  const answered = s.answeredAt !== null || status === "voicemail";
  const answeredAt = s.answeredAt ?? (status === "voicemail" ? at : null);
  const durationSec =
    carrierDurationSec ??
    (answeredAt !== null ? Math.max(0, Math.round((at - answeredAt) / 1000)) : null);
  return {
    state: { ...s, status, error, answeredAt, endedAt: at, durationSec, deadline: null },
    changed: true,
    effects: hangup ? [{ type: "hangup", answered }] : [],
  };
}

function changed(state: CallState): Transition {
  return { state, changed: true, effects: [] };
}
