/**
 * The engine's vocabulary: its settings, the session state it keeps, the inputs it takes and the
 * commands it gives (call-engine.ts is the step function over them).
 */

import type { Answering } from "../answering";
import type { CallParams } from "../call-params";
import type { CallOutputs, SavedRecording } from "../call-record";
import type { CallLimits, CallState } from "../call-state";
import type { CarrierSignal } from "../carrier-signal";
import type { TranscriptFeed } from "../live-transcript";
import type { PhoneTreeState } from "../phone-tree";
import type { AnsweredBy, Question } from "../questions";
import type { GuardrailToken } from "../schedule";
import type { ToolCall, ToolResult } from "../tool";
import type { TranscriptLine } from "../transcript";
import type { TransferOutcome, TransferState } from "../transfer";
import type { WebhookEvent } from "../webhook-event";

/** Attempts at creating the call with the carrier, when it answers 429/5xx. */
export const MAX_DIAL_ATTEMPTS = 4;

/** After a failed D1 write or queue send, try again this much later. */
export const SYNC_RETRY_MS = 2000;

/** Carrier callbacks remembered per call for de-duplication (a call sees a handful). */
export const MAX_SEEN = 64;

/**
 * A live media stream sends a frame every 20 ms, silence included; the shell reports that media
 * flows every MEDIA_HEARTBEAT_MS. No report for MEDIA_SILENCE_MS means the stream is gone even if
 * no close arrived (the runtime restarted): the call ends as media_lost, billed up to its last media.
 */
export const MEDIA_HEARTBEAT_MS = 5000;

export const MEDIA_SILENCE_MS = 15_000;

export type EngineSettings = {
  limits: CallLimits;
  /** Longest post-call work before the terminal record goes out with what is ready. */
  postCallBoundMs: number;
  /** First backoff step between dial attempts (doubles). */
  dialRetryBaseMs: number;
  /** Longest call, when no grant within the account's minutes was asked for. */
  maxCallMs: number;
};

export type SessionState = {
  params: CallParams;
  settings: EngineSettings;
  call: CallState;
  /** Dial attempts made, and when the next one is due (null: none due, or one in flight). */
  dial: { attempts: number; dueAt: number | null };
  /** De-duplication keys of carrier callbacks already applied. */
  seen: string[];
  lines: TranscriptLine[];
  /** Events created with a transition that D1 and the delivery queue do not have yet. */
  outbox: WebhookEvent[];
  /** How many events this call has created (numbers the event ids). */
  events: number;
  /** The D1 row or the outbox is behind this state; when to try again. */
  sync: { behind: boolean; retryAt: number | null };
  /** When media was last seen flowing (null before the stream started). */
  lastMediaAt: number | null;
  /** The object restarted while the call was live: what was only in memory (the recording's
   * unfinished audio, the model's context) is gone. */
  interrupted: boolean;
  /** The voice model was asked to set up while the phone rang. */
  voicePrepared: boolean;
  /** The recording's parts saved so far, should the object restart before it is complete. */
  recording: SavedRecording | null;
  /** Post-call work: due once the call ended; `began` once the shell started it. */
  post: { began: boolean; deadline: number } | null;
  finalized: boolean;
  outputs: CallOutputs;
  /** Who answered, and the voicemail message (domain/answering.ts). */
  answering: Answering;
  /** Menus pressed through and time on hold (phone-tree.ts). */
  phoneTree: PhoneTreeState;
  /** The hand-over to a person, once the agent asked for it (transfer.ts). */
  transfer: TransferState | null;
  /** Questions the agent asked its requester (questions.ts), pending one included. */
  questions: Question[];
  /** The person asked not to be called again: the evidence kept on the do-not-call entry. */
  optOut: { reason: string } | null;
  /** What GET …/stream sends, numbered from 1 (kept so a reconnect replays from Last-Event-ID). */
  liveLog: LiveEvent[];
  /** Transcript lines numbered, and those waiting for the next `call.transcript` event. */
  transcriptFeed: TranscriptFeed;
};

/** One Server-Sent Event: a status change (with the record), a transcript line, a question. */
export type LiveEvent = { seq: number; type: string; data: Record<string, unknown> };

export type SessionInput =
  | { type: "alarm" }
  | { type: "dial_succeeded"; providerCallId: string }
  | { type: "dial_failed"; retryable: boolean }
  | {
      type: "carrier";
      signal: CarrierSignal;
      callSid: string;
      dedupeKey: string;
      /** Call length granted within the account's minutes; the shell asks when `needsGrant`. */
      grantedMs?: number;
    }
  | { type: "media_started"; grantedMs?: number }
  | { type: "media_ended"; stopped: boolean }
  | { type: "media_flowing" }
  | { type: "recording_saved"; saved: SavedRecording }
  /** Write the row and the outbox to D1 again, whatever this state believes D1 has. */
  | { type: "resync" }
  /** The object was loaded again (eviction or restart) with this state. */
  | { type: "restored" }
  | { type: "transcript_line"; line: TranscriptLine }
  | { type: "agent_hung_up" }
  | { type: "model_lost" }
  | { type: "cancel" }
  | { type: "synced"; eventIds: string[] }
  | { type: "sync_failed" }
  | { type: "post_call_done"; outputs: CallOutputs }
  /** The voice model called one of its tools (end_call excepted: the bridge plays the goodbye). */
  | { type: "tool_called"; call: ToolCall }
  /** A scheduled call's guardrails, checked again when it is due: null passed, else the token. */
  | { type: "recheck_done"; error: GuardrailToken | null }
  /** The recheck could not read storage: try again a little later. */
  | { type: "recheck_failed" }
  /** The bridge's beep detector heard a beep after speech (a machine's greeting ended). */
  | { type: "beep_heard" }
  /** Long silence after speech while a machine's greeting played: a greeting with no beep ended. */
  | { type: "greeting_silent" }
  /** The far end pressed a key (the carrier's in-band detection, e.g. a Twilio `dtmf` frame). */
  | { type: "recipient_key"; digit: string }
  /** The carrier refused the transfer's call update. */
  | { type: "transfer_failed" }
  /** The transfer's Dial ended (its signed action callback). */
  | { type: "transfer_ended"; outcome: TransferOutcome; durationSec: number }

  /** The requester answered the agent's question (REST or MCP). */
  | { type: "question_answered"; questionId: string; answer: string; by: AnsweredBy };

export type SessionCommand =
  | { type: "dial"; attempt: number }
  /** A scheduled call is due: check its guardrails again (and hold its first minute) before dialing. */
  | { type: "recheck" }
  | { type: "hang_up"; providerCallId: string; answered: boolean }
  /** Connect and set up the voice model while the phone rings, so the greeting starts at once. */
  | { type: "prepare_voice" }
  | { type: "start_bridge"; answeredAt: number }
  | { type: "close_media" }
  | { type: "run_post_call"; deadline: number }
  | { type: "sync" }
  /** Tells the voice model what its tool call did; it carries on from there. */
  | { type: "tool_result"; call: ToolCall; result: ToolResult }
  /** Tells the voice model something it cannot hear itself (VoiceSession.inform). */
  | { type: "inform_model"; text: string }
  /** Lets the agent's audio through to the phone, or stops it (never over a machine's greeting). */
  | { type: "gate_agent_audio"; open: boolean }
  /** Plays keys as in-band DTMF into the call, the model's own audio held back meanwhile. */
  | { type: "play_dtmf"; digits: string }
  /** Hands the live call over to a person (the carrier dials them; the media stream ends). */
  | {
      type: "transfer";
      providerCallId: string;
      to: string;
      callerId: string;
      timeLimitSec: number;
      ringSec: number;
    };

/** Why an input changed nothing, for the callers that answer someone (callbacks, cancel). */
export type Refusal =
  | "replay"
  | "wrong_call"
  | "already_ended"
  | "question_not_found"
  | "question_closed";

export type StepResult = { state: SessionState; commands: SessionCommand[]; refused?: Refusal };
