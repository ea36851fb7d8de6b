/**
 * The live audio path of one call, inside its CallSession: Twilio media frames ↔ the voice model.
 * Caller audio goes to the model, the recording and the latency meter; agent audio goes to Twilio,
 * the recording and the meter; barge-in clears Twilio's buffer at once; the model's end_call
 * hangs up once Twilio has played everything before it (a mark echo), or after a bound.
 */

import type { TranscriptLine } from "../analysis/transcript";
import { decodeMulaw } from "../audio/mulaw";
import { base64ToBytes, bytesToBase64 } from "../audio/pcm";
import { outbound } from "../telephony/twilio/media-messages";
import type { Speaker, VoiceEvents, VoiceSession } from "../voice/voice-session";
import type { Recorder } from "./recorder";
import { type LatencyStats, TurnLatency } from "./turn-latency";

const END_CALL_MARK = "end_call";
/** If Twilio never echoes the goodbye mark, hang up anyway after this long. */
const GOODBYE_BOUND_MS = 8000;

export type BridgeHooks = {
  /** The agent said goodbye and everything it said has been played. */
  agentHungUp(): void;
  /** The model leg is gone for good. */
  modelLost(reason: string): void;
  /** A transcript line was completed. */
  line(line: TranscriptLine): void;
};

export type BridgeResult = { lines: TranscriptLine[]; latency: LatencyStats | null };

export class MediaBridge implements VoiceEvents {
  private model: VoiceSession | undefined;
  private readonly lines: TranscriptLine[] = [];
  private readonly latency = new TurnLatency();
  private goodbye: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  private hungUp = false;

  constructor(
    private readonly twilio: WebSocket,
    private readonly streamSid: string,
    private readonly answeredAt: number,
    private readonly recorder: Recorder | undefined,
    private readonly hooks: BridgeHooks,
    private readonly now: () => number = Date.now,
  ) {}

  attach(model: VoiceSession): void {
    this.model = model;
  }

  /** A Twilio `media` frame's payload (base64 μ-law). */
  recipientAudio(payload: string): void {
    if (this.done) return;
    const mulaw = base64ToBytes(payload);
    this.model?.sendCallerAudio(mulaw);
    const pcm = decodeMulaw(mulaw);
    this.recorder?.recipient(pcm);
    this.latency.recipientAudio(pcm, this.now());
  }

  /** A Twilio `mark` echo. */
  mark(name: string): void {
    if (name === END_CALL_MARK) this.hangUp();
  }

  // VoiceEvents, from the model:

  audio(mulaw: Uint8Array): void {
    if (this.done) return;
    this.latency.agentAudio(this.now());
    this.recorder?.agent(decodeMulaw(mulaw));
    this.sendTwilio(outbound.media(this.streamSid, bytesToBase64(mulaw)));
  }

  interrupted(): void {
    this.sendTwilio(outbound.clear(this.streamSid));
    this.recorder?.clearAgent();
    this.latency.agentTurnEnded();
  }

  transcript(speaker: Speaker, text: string): void {
    const line = { speaker, text, offsetMs: Math.max(0, this.now() - this.answeredAt) };
    this.lines.push(line);
    this.hooks.line(line);
  }

  turnComplete(): void {
    this.latency.agentTurnEnded();
  }

  endCall(reason: string): void {
    if (this.goodbye || this.done) return;
    console.info("agent ends the call", { reason });
    // Twilio echoes a mark once the audio queued before it has played.
    this.sendTwilio(outbound.mark(this.streamSid, END_CALL_MARK));
    this.goodbye = setTimeout(() => this.hangUp(), GOODBYE_BOUND_MS);
  }

  closed(reason: string): void {
    if (!this.done) this.hooks.modelLost(reason);
  }

  /** Stops everything and returns what the call produced. */
  finish(): BridgeResult {
    this.done = true;
    if (this.goodbye) clearTimeout(this.goodbye);
    this.model?.close();
    return { lines: [...this.lines], latency: this.latency.stats() };
  }

  private hangUp(): void {
    if (this.done || this.hungUp) return;
    this.hungUp = true;
    if (this.goodbye) clearTimeout(this.goodbye);
    this.hooks.agentHungUp();
  }

  private sendTwilio(frame: string): void {
    try {
      this.twilio.send(frame);
    } catch {
      // The stream is closing; the call's end is handled by the session.
    }
  }
}
