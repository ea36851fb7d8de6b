/**
 * The live audio path of one call, inside its CallSession: the carrier's media frames ↔ the voice
 * model. Caller audio goes to the model, the recording and the latency meter; agent audio goes to
 * the carrier, the recording and the meter; barge-in clears the carrier's buffer at once; the
 * model's end_call hangs up once the carrier has played everything before it (a mark echo), or
 * after a bound. Transcript lines go to the session, which keeps them.
 */
import { decodeMulaw } from "../../audio/mulaw";
import { base64ToBytes, bytesToBase64 } from "../../audio/pcm";
import type { LatencyStats } from "../../domain/call-record";
import type { Speaker, TranscriptLine } from "../../domain/transcript";
import type { MediaCodec, RecordingSink, VoiceEvents, VoiceSession } from "../../ports";
import { TurnLatency } from "./turn-latency";

const END_CALL_MARK = "end_call";
/** If the carrier never echoes the goodbye mark, hang up anyway after this long. */
const GOODBYE_BOUND_MS = 8000;

export type BridgeHooks = {
  /** The agent said goodbye and everything it said has been played. */
  agentHungUp(): void;
  /** The model leg is gone for good. */
  modelLost(reason: string): void;
  /** A transcript line was completed. */
  line(line: TranscriptLine): void;
};

/** The carrier's side of the bridge: its socket, stream and wire format. */
export type CarrierLeg = { socket: WebSocket; streamId: string; codec: MediaCodec };

export class MediaBridge implements VoiceEvents {
  private model: VoiceSession | undefined;
  private readonly latency = new TurnLatency();
  private goodbye: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  private hungUp = false;

  constructor(
    private readonly carrier: CarrierLeg,
    private readonly answeredAt: number,
    private readonly recorder: RecordingSink | undefined,
    private readonly hooks: BridgeHooks,
    private readonly now: () => number = Date.now,
  ) {}

  attach(model: VoiceSession): void {
    this.model = model;
  }

  /** A `media` frame's payload (base64 μ-law). */
  recipientAudio(payload: string): void {
    if (this.done) return;
    let mulaw: Uint8Array;
    try {
      mulaw = base64ToBytes(payload);
    } catch {
      return; // not base64: not audio, dropped quietly
    }
    this.model?.sendCallerAudio(mulaw);
    const pcm = decodeMulaw(mulaw);
    this.recorder?.recipient(pcm);
    this.latency.recipientAudio(pcm, this.now());
  }

  /** A mark echo. */
  mark(name: string): void {
    if (name === END_CALL_MARK) this.hangUp();
  }

  // VoiceEvents, from the model:

  audio(mulaw: Uint8Array): void {
    if (this.done) return;
    this.latency.agentAudio(this.now());
    this.recorder?.agent(decodeMulaw(mulaw));
    this.send(this.carrier.codec.media(this.carrier.streamId, bytesToBase64(mulaw)));
  }

  interrupted(): void {
    this.send(this.carrier.codec.clear(this.carrier.streamId));
    this.recorder?.clearAgent();
    this.latency.agentTurnEnded();
  }

  transcript(speaker: Speaker, text: string): void {
    this.hooks.line({ speaker, text, offsetMs: Math.max(0, this.now() - this.answeredAt) });
  }

  turnComplete(): void {
    this.latency.agentTurnEnded();
  }

  endCall(reason: string): void {
    if (this.goodbye || this.done) return;
    console.info("agent ends the call", { reason });
    // The carrier echoes a mark once the audio queued before it has played.
    this.send(this.carrier.codec.mark(this.carrier.streamId, END_CALL_MARK));
    this.goodbye = setTimeout(() => this.hangUp(), GOODBYE_BOUND_MS);
  }

  closed(reason: string): void {
    if (!this.done) this.hooks.modelLost(reason);
  }

  /** Stops everything and returns the call's response latency. */
  finish(): LatencyStats | null {
    this.done = true;
    if (this.goodbye) clearTimeout(this.goodbye);
    this.model?.close();
    return this.latency.stats();
  }

  private hangUp(): void {
    if (this.done || this.hungUp) return;
    this.hungUp = true;
    if (this.goodbye) clearTimeout(this.goodbye);
    this.hooks.agentHungUp();
  }

  private send(frame: string): void {
    try {
      this.carrier.socket.send(frame);
    } catch {
      // The stream is closing; the call's end is handled by the session.
    }
  }
}
