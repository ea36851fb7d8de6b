/**
 * The interfaces the engine's shell and the use cases need from the world. Adapters implement
 * them (Twilio and the simulator, D1, Queues, R2, the voice providers); the composition root
 * (wiring.ts) picks them from the configuration. Nothing here does I/O.
 */

import type { CallParams, PlacedCall } from "./domain/call-params";
import type { CallOutputs, CallProgress, SavedRecording } from "./domain/call-record";
import type { CallState } from "./domain/call-state";
import type { QuestionView } from "./domain/questions";
import type { GuardrailToken } from "./domain/schedule";
import type { ToolCall, ToolDeclaration, ToolResult } from "./domain/tool";
import type { Speaker, TranscriptLine } from "./domain/transcript";
import type { WebhookEvent } from "./domain/webhook-event";
import type { Clock } from "./lib/clock";

export type { Clock } from "./lib/clock";

/** What creating a call at the carrier came to. */
export type DialOutcome =
  | { ok: true; providerCallId: string }
  | { ok: false; retryable: boolean; detail: string };

/** The phone network: Twilio in production, the built-in simulator locally. */
export interface Carrier {
  /** Creates the outbound call, with its callbacks and media stream pointed at this deployment. */
  dial(call: CallParams): Promise<DialOutcome>;
  /** `answered`: end a live call; otherwise withdraw a queued or ringing one. */
  hangUp(providerCallId: string, answered: boolean): Promise<void>;
  /** Hands the live call over to a person (its media stream ends; a signed Dial action reports back). */
  transfer(call: CallParams, providerCallId: string, dial: TransferRequest): Promise<void>;
}

export type TransferRequest = {
  to: string;
  callerId: string;
  ringSec: number;
  timeLimitSec: number;
};

/** A frame of the carrier's media stream, whatever the carrier's wire format. */
export type MediaFrame =
  | { kind: "connected" }
  | { kind: "start"; streamId: string; params: Record<string, string> }
  | { kind: "media"; payload: string }
  | { kind: "mark"; name: string }
  | { kind: "dtmf"; digit: string }
  | { kind: "stop" };

/** The carrier's media-stream wire format, both ways. Payloads are base64 μ-law 8 kHz. */
export interface MediaCodec {
  parse(text: string): MediaFrame | undefined;
  media(streamId: string, payload: string): string;
  /** Drops the agent audio the carrier has queued but not played. */
  clear(streamId: string): string;
  /** Echoed by the carrier once everything queued before it has played. */
  mark(streamId: string, name: string): string;
}

/** D1 and the delivery queue, as the call's session sees them. */
export interface CallRecordStore {
  /** Writes the row and the new events in one transaction, then queues the events. Throws on failure. */
  sync(
    call: CallParams,
    progress: CallProgress,
    events: readonly WebhookEvent[],
    /** The person asked not to be called again: list the number (idempotent), in the same batch. */
    optOut?: { reason: string } | null,
  ): Promise<void>;
  /** Holds up to `wantMs` of the account's remaining minutes for an answered call; returns what it got. */
  grantCallMs(call: CallParams, wantMs: number): Promise<number>;
  /**
   * A scheduled call is due: checks again the guardrails that may have changed since placement
   * and, when they pass, holds its first minute. Returns the failing token, or null. Throws on a
   * storage failure.
   */
  recheckGuardrails(call: CallParams, now: number): Promise<GuardrailToken | null>;
}

/** Where a call's audio is written while it runs; it reports each part it has saved. */
export interface RecordingSink {
  recipient(pcm: Int16Array): void;
  agent(pcm: Int16Array): void;
  /** The carrier dropped queued agent audio (barge-in). */
  clearAgent(): void;
  /** Completes the recording; its key, or undefined when nothing was recorded. */
  finish(): Promise<string | undefined>;
  abort(): Promise<void>;
}

export type VoiceSessionConfig = {
  systemPrompt: string;
  voice: string;
  /** BCP-47, or "auto" to mirror whoever answers. */
  language: string;
  /** The tools offered to the model on this call. */
  tools: readonly ToolDeclaration[];
  /** The disclosure the agent's first sentence must carry (src/domain/disclosure.ts). */
  firstSentence?: string;
};

/** What the realtime voice model tells the bridge. Audio is μ-law 8 kHz, the carrier's format. */
export type VoiceEvents = {
  audio(mulaw: Uint8Array): void;
  /**
   * The recipient started speaking (the model's barge-in or speech-start signal). The bridge
   * decides from the carrier's mark echoes whether agent audio is still playing, and if so clears
   * it and tells the session how much was heard (`VoiceSession.truncate`).
   */
  interrupted(): void;
  transcript(speaker: Speaker, text: string): void;
  /** The agent's turn is over (audio for it has all been sent; it may still be playing). */
  turnComplete(): void;
  /** The model called one of its tools; it waits for `VoiceSession.toolResult`. */
  toolCall(call: ToolCall): void;
  /** The model connection is gone for good. */
  closed(reason: string): void;
};

/** One frame of the caller's audio in each form a model takes, decoded once by the bridge. */
export type CallerAudio = {
  /** μ-law 8 kHz as base64: the carrier's own payload (OpenAI takes it as it is). */
  base64: string;
  /** The same audio decoded to PCM16 at 8 kHz (Gemini's is resampled from it). */
  pcm: Int16Array;
};

export interface VoiceSession {
  /** The call was answered: greet the person and begin (the session may be set up before). */
  begin(): void;
  sendCallerAudio(audio: CallerAudio): void;
  /**
   * The carrier dropped agent audio it had not played (barge-in): the caller heard the first
   * `heardMs` of all the audio this session has delivered. Providers that keep the agent's words
   * in their context cut them there (OpenAI's `conversation.item.truncate`); others need nothing.
   */
  truncate?(heardMs: number): void;
  /**
   * Answers a tool call. With `respond`, the model carries on speaking from the result; without,
   * it is only told (end_call: the call is ending).
   */
  toolResult(call: ToolCall, result: ToolResult, respond: boolean): void;
  /**
   * Tells the model something it cannot hear (the beep has sounded, the person pressed 3, the
   * requester answered): a note in the conversation from the platform; the model carries on.
   */
  inform(text: string): void;
  close(): void;
}

/** Opens the configured realtime voice model for one call. */
export interface VoiceConnector {
  connect(config: VoiceSessionConfig, events: VoiceEvents): Promise<VoiceSession>;
}

/** Summary and typed fields of a finished call. */
export interface CallAnalyzer {
  analyze(
    call: CallParams,
    state: CallState,
    lines: readonly TranscriptLine[],
    deadline: number,
  ): Promise<Omit<CallOutputs, "latency" | "recordingKey" | "recordingTruncated">>;
}

/** Everything a call's session needs, built once per object by the composition root. */
export type SessionPorts = {
  clock: Clock;
  carrier: (call: CallParams) => Carrier;
  codec: MediaCodec;
  store: CallRecordStore;
  recording: (call: CallParams, onSaved: (saved: SavedRecording) => void) => RecordingSink;
  /** Completes the recording of a call whose object restarted, from the parts it saved. */
  completeSavedRecording: (call: CallParams, saved: SavedRecording) => Promise<string | undefined>;
  voice: (call: CallParams) => VoiceConnector;
  analyzer: (call: CallParams) => CallAnalyzer;
};

/** Starts and cancels calls: the use cases' view of the per-call sessions. */
export interface CallEngine {
  /** Starts the call's session once; starting it again changes nothing. */
  start(call: PlacedCall): Promise<void>;
  /** Hangs up or withdraws the call; a call that has already ended keeps its status. */
  cancel(call: PlacedCall): Promise<"canceled" | "already_ended">;
  /** Asks the call's session to run its deadlines and write its record to D1 again now. */
  wake(call: PlacedCall): Promise<void>;
  /** Gives the call's pending question its answer (the model gets it as its tool's result). */
  answerQuestion(
    call: PlacedCall,
    answer: { questionId: string; answer: string; by: "rest" | "mcp" },
  ): Promise<{ answered: QuestionView } | "question_not_found" | "question_closed">;
  /** The call's Server-Sent Events from after `lastEventId`; undefined when it has no session. */
  stream(call: PlacedCall, lastEventId: string | null): Promise<Response | undefined>;
}
