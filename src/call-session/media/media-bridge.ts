/**
 * The live audio path of one call, inside its CallSession: the carrier's media frames ↔ the voice
 * model. Caller audio goes to the model, the recording and the latency meter; agent audio goes to
 * the carrier, the recording and the meter. Transcript lines go to the session, which keeps them
 * in the order the speech happened.
 *
 * What the caller has heard. Both models send audio faster than real time, so the end of a model
 * turn says nothing about what has played. After every chunk of agent audio the bridge sends a
 * mark named `<epoch>.<samples>`: the number of clears sent so far and the agent audio sent up to
 * and including that chunk, in 8 kHz samples. The carrier echoes a mark once the audio before it
 * has played, so the last echo is the played position, and the agent is speaking on the line while
 * marks are outstanding (sent > played). A `clear` makes the carrier echo every pending mark at
 * once, which proves nothing was played: it starts a new epoch, and echoes of older epochs are
 * ignored, the goodbye's (`end_call.<epoch>`) included.
 *
 * A mark after every chunk would double what goes to the carrier (and come back as echoes), so
 * the audio is marked once per MARK_EVERY_SAMPLES, and wherever something waits on the played
 * position: the end of an agent line, the end of a turn, after keys.
 *
 * Barge-in: when the person starts speaking (the model's signal, or after the model's turn is over
 * the bridge's own speech detector, since the model then has nothing to interrupt) while agent
 * audio is outstanding, the carrier's buffer is cleared at once, the model is told what was heard
 * (OpenAI truncates there), and the agent's transcript line is cut where the person came in.
 * A clear during the goodbye cancels the hang-up: the person is heard, and the model ends the call
 * again when it is done. The model's end_call hangs up once the goodbye mark is echoed, or after
 * a bound.
 */
import { BeepDetector } from "../../audio/beep-detector";
import { dtmfTones } from "../../audio/dtmf";
import { GreetingSilence } from "../../audio/greeting-silence";
import { decodeMulaw, encodeMulaw } from "../../audio/mulaw";
import { base64ToBytes, bytesToBase64 } from "../../audio/pcm";
import { END_CALL_TOOL } from "../../domain/agent-tools";
import type { LatencyStats } from "../../domain/call-record";
import { PRESS_DIGITS_TOOL, WAIT_ON_HOLD_TOOL } from "../../domain/phone-tree";
import { stringArg, type ToolCall, type ToolResult } from "../../domain/tool";
import type { Speaker, TranscriptLine } from "../../domain/transcript";
import { TRANSFER_CALL_TOOL } from "../../domain/transfer";
import type { MediaCodec, RecordingSink, VoiceEvents, VoiceSession } from "../../ports";
import { TurnLatency } from "./turn-latency";

const END_CALL_MARK = "end_call";
/** Tools by which the agent acts on the line instead of speaking. */
const ACTING_TOOLS = new Set<string>([PRESS_DIGITS_TOOL.name, WAIT_ON_HOLD_TOOL.name]);
/** Echoed once the agent's line before a transfer has played: then the call is handed over. */
const TRANSFER_MARK = "transfer";
/** If the carrier never echoes the goodbye mark, hang up anyway after this long. */
const GOODBYE_BOUND_MS = 8000;
/** μ-law 8 kHz: one byte per sample, 8 samples per millisecond. */
const SAMPLES_PER_MS = 8;
/** Agent audio is marked at least this often (100 ms): the played position's resolution. */
const MARK_EVERY_SAMPLES = 800;
/** Keys go to the carrier in media frames of this many samples (200 ms). */
const DTMF_CHUNK = 1600;
/** How an agent line the person talked over ends (one line per entry: no line break). */
export const CUT_OFF = " —";

export type BridgeHooks = {
  /** The agent said goodbye and everything it said has been played. */
  agentHungUp(): void;
  /** The model leg is gone for good. */
  modelLost(reason: string): void;
  /** A transcript line was completed. */
  line(line: TranscriptLine): void;
  /** The model called a tool other than end_call: the engine decides what it does. */
  toolCall(call: ToolCall): void;
  /** A beep after speech in the recipient's audio: a machine's greeting has ended. */
  beep?(): void;
  /** Long silence after speech while the gate is closed: a greeting without a beep has ended. */
  greetingSilent?(): void;
};

/** The carrier's side of the bridge: its socket, stream and wire format. */
export type CarrierLeg = { socket: WebSocket; streamId: string; codec: MediaCodec };

/** An agent line waiting for its audio to play (or to be cut off). Samples as in the marks. */
type HeldLine = { text: string; start: number; end: number; offsetMs: number };

export class MediaBridge implements VoiceEvents {
  private model: VoiceSession | undefined;
  private readonly latency = new TurnLatency();
  private goodbye: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  private hungUp = false;
  /** Clears sent so far; marks carry it so echoes caused by a clear can be told apart. */
  private epoch = 0;
  /** Agent audio sent to the carrier, in samples, over the whole call. */
  private sent = 0;
  /** Agent audio up to the last mark sent, in samples. */
  private marked = 0;
  /** Agent audio the carrier's mark echoes prove has played, in samples. */
  private played = 0;
  /** The model finished its turn (or was interrupted): it will not signal a barge-in itself. */
  private modelIdle = true;
  /** Where the agent's next transcript line began: samples sent, and when (-1: no audio yet). */
  private lineStart = -1;
  private lineStartAt = 0;
  private readonly held: HeldLine[] = [];
  private readonly beeps = new BeepDetector();
  /** Closed while a machine's greeting plays: the agent's audio is not sent to the phone. */
  private gated = false;
  /** While gated: listens for the silence that ends a greeting with no beep. */
  private silence: GreetingSilence | undefined;
  /** Leaving a voicemail message: a recording machine does not interrupt (its beep is no barge-in). */
  private recording = false;
  /** Where the last keys pressed end, in samples as in the marks: until played, no clear. */
  private digitsEnd = 0;
  /** A transfer_call waiting for the agent's line before it to play. */
  private transferCall: ToolCall | undefined;
  private transferBound: ReturnType<typeof setTimeout> | undefined;

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
    const pcm = decodeMulaw(mulaw);
    this.model?.sendCallerAudio({ base64: payload, pcm });
    this.recorder?.recipient(pcm);
    if (this.beeps.push(pcm).length > 0) this.hooks.beep?.();
    if (this.gated && this.silence?.push(pcm)) this.hooks.greetingSilent?.();
    const speechStarted = this.latency.recipientAudio(pcm, this.now());
    if (speechStarted && this.modelIdle && !this.recording) this.bargeIn();
  }

  /** A mark echo. */
  mark(name: string): void {
    const dot = name.lastIndexOf(".");
    if (dot < 0) return;
    const head = name.slice(0, dot);
    const value = Number(name.slice(dot + 1));
    if (head === TRANSFER_MARK) {
      this.handOver();
      return;
    }
    if (head === END_CALL_MARK) {
      if (value === this.epoch && this.goodbye) this.hangUp();
      return;
    }
    // An echo from before the last clear was caused by the clear: nothing was played.
    if (Number(head) !== this.epoch || !(value > this.played)) return;
    this.played = Math.min(value, this.sent);
    this.releaseLines(false);
  }

  // VoiceEvents, from the model:

  audio(mulaw: Uint8Array): void {
    if (this.done || this.gated) return;
    const now = this.now();
    if (this.lineStart < 0) {
      this.lineStart = this.sent;
      this.lineStartAt = now;
    }
    this.modelIdle = false;
    this.latency.agentAudio(now);
    this.recorder?.agent(decodeMulaw(mulaw));
    const { codec, streamId } = this.carrier;
    this.send(codec.media(streamId, bytesToBase64(mulaw)));
    this.sent += mulaw.length;
    if (this.sent - this.marked >= MARK_EVERY_SAMPLES) this.markSent();
  }

  interrupted(): void {
    if (this.done || this.recording) return;
    this.modelIdle = true;
    this.latency.agentTurnEnded();
    this.bargeIn();
  }

  transcript(speaker: Speaker, text: string): void {
    const now = this.now();
    if (speaker === "recipient") {
      // Where the person began speaking, not when the text arrived (it may come late).
      const at = this.latency.claimTurnStart() ?? now;
      this.hooks.line({ speaker, text, offsetMs: Math.max(0, Math.round(at - this.answeredAt)) });
      return;
    }
    // Said while the gate was closed: never heard, so not on the transcript.
    if (this.gated) return;
    this.markSent();
    const audio = this.lineStart >= 0;
    this.held.push({
      text,
      start: audio ? this.lineStart : this.sent,
      end: this.sent,
      offsetMs: Math.max(0, Math.round((audio ? this.lineStartAt : now) - this.answeredAt)),
    });
    this.lineStart = -1;
    this.releaseLines(false);
  }

  turnComplete(): void {
    this.markSent();
    this.modelIdle = true;
    this.latency.agentTurnEnded();
  }

  toolCall(call: ToolCall): void {
    if (this.done) return;
    if (call.name === TRANSFER_CALL_TOOL.name) {
      // The agent's short line plays to its end first: the hand-over cuts the media stream.
      this.latency.agentActed();
      this.transferCall = call;
      this.send(this.carrier.codec.mark(this.carrier.streamId, `${TRANSFER_MARK}.${this.epoch}`));
      this.transferBound = setTimeout(() => this.handOver(), GOODBYE_BOUND_MS);
      return;
    }
    if (call.name !== END_CALL_TOOL.name) {
      // Acting (pressing keys, waiting on hold) is the agent's turn: what the far end says next
      // is a new turn, placed in the transcript where it begins. A report (who answered, a
      // question, an opt-out) is not a turn: the reply that follows it is measured.
      if (ACTING_TOOLS.has(call.name)) this.latency.agentActed();
      this.hooks.toolCall(call);
      return;
    }
    this.model?.toolResult(call, { result: "ok" }, false);
    this.endCall(stringArg(call, "reason") ?? "done");
  }

  /**
   * Keys the agent pressed, as in-band DTMF (audio/dtmf.ts): queued at the carrier behind what
   * the agent already said, and the model's later audio queued behind them, so nothing plays
   * over the tones. Until they have played, the person's speech does not clear the carrier's
   * buffer (a menu talking over its own prompt must not swallow the keys).
   */
  playDigits(digits: string): void {
    if (this.done) return;
    const mulaw = encodeMulaw(dtmfTones(digits));
    this.latency.agentActed();
    this.recorder?.agent(decodeMulaw(mulaw));
    const { codec, streamId } = this.carrier;
    for (let i = 0; i < mulaw.length; i += DTMF_CHUNK) {
      this.send(codec.media(streamId, bytesToBase64(mulaw.subarray(i, i + DTMF_CHUNK))));
    }
    this.sent += mulaw.length;
    this.digitsEnd = this.sent;
    this.markSent();
  }

  /** The agent's line before a transfer has played (or the bound ran out): the engine takes over. */
  private handOver(): void {
    const call = this.transferCall;
    this.transferCall = undefined;
    if (this.transferBound) clearTimeout(this.transferBound);
    if (call && !this.done) this.hooks.toolCall(call);
  }

  /** A note from the platform for the model (see VoiceSession.inform). */
  inform(text: string): void {
    if (!this.done) this.model?.inform(text);
  }

  /**
   * Closes or opens the way to the phone. Closing drops the agent audio the carrier has queued
   * (as a barge-in does) and everything the model sends until it opens again.
   */
  gate(open: boolean): void {
    if (this.done) return;
    // Opened for a message: whatever the far end does now is a recording machine, not a person.
    if (open) this.recording = true;
    if (this.gated === !open) return;
    if (!open) this.bargeIn();
    this.gated = !open;
    this.silence = open ? undefined : new GreetingSilence();
    this.lineStart = -1;
  }

  /** The engine's answer to a tool call, for the model. */
  toolResult(call: ToolCall, result: ToolResult): void {
    if (!this.done) this.model?.toolResult(call, result, true);
  }

  private endCall(reason: string): void {
    if (this.goodbye || this.done) return;
    console.info("agent ends the call", { reason });
    // The carrier echoes a mark once the audio queued before it has played.
    this.send(this.carrier.codec.mark(this.carrier.streamId, `${END_CALL_MARK}.${this.epoch}`));
    this.goodbye = setTimeout(() => this.hangUp(), GOODBYE_BOUND_MS);
  }

  closed(reason: string): void {
    if (!this.done) this.hooks.modelLost(reason);
  }

  /**
   * The media stream is ending: agent lines still waiting for their audio keep what had played
   * (cut off if not all of it did), so the session has them before the call's record is made.
   */
  flushLines(): void {
    this.releaseLines(true);
  }

  /** Stops everything and returns the call's response latency. */
  finish(): LatencyStats | null {
    this.done = true;
    if (this.goodbye) clearTimeout(this.goodbye);
    if (this.transferBound) clearTimeout(this.transferBound);
    this.model?.close();
    return this.latency.stats();
  }

  /** The person started speaking: if agent audio is still queued at the carrier, drop it. */
  private bargeIn(): void {
    if (this.played >= this.sent) return; // nothing outstanding: the agent is not on the line
    if (this.played < this.digitsEnd) return; // keys still playing: they must be heard whole
    const heard = this.played;
    this.send(this.carrier.codec.clear(this.carrier.streamId));
    this.epoch += 1;
    this.played = this.sent;
    this.marked = this.sent;
    this.recorder?.clearAgent();
    this.model?.truncate?.(heard / SAMPLES_PER_MS);
    this.releaseLines(true, heard);
    if (this.goodbye) {
      // The goodbye was not heard to its end; the person is talking. The model decides again.
      clearTimeout(this.goodbye);
      this.goodbye = undefined;
    }
  }

  /**
   * Emits held agent lines whose audio has played. With `cut`, the rest too: each keeps the share
   * of its words that matches the share of its audio heard (up to `heard`), ends with CUT_OFF,
   * and a line of which nothing was heard is dropped.
   */
  private releaseLines(cut: boolean, heard = this.played): void {
    while (this.held.length > 0) {
      const line = this.held[0] as HeldLine;
      if (heard < line.end && !cut) return;
      this.held.shift();
      if (heard >= line.end) {
        this.emitAgent(line.text, line.offsetMs);
        continue;
      }
      if (heard <= line.start) continue;
      const words = line.text.split(/\s+/);
      const kept = Math.max(
        1,
        Math.round((words.length * (heard - line.start)) / (line.end - line.start)),
      );
      this.emitAgent(`${words.slice(0, kept).join(" ")}${CUT_OFF}`, line.offsetMs);
    }
  }

  private emitAgent(text: string, offsetMs: number): void {
    this.hooks.line({ speaker: "agent", text, offsetMs });
  }

  private hangUp(): void {
    if (this.done || this.hungUp) return;
    this.hungUp = true;
    if (this.goodbye) clearTimeout(this.goodbye);
    this.hooks.agentHungUp();
  }

  /** A mark at the agent audio sent so far, unless there is one there already. */
  private markSent(): void {
    if (this.marked === this.sent) return;
    this.marked = this.sent;
    this.send(this.carrier.codec.mark(this.carrier.streamId, `${this.epoch}.${this.sent}`));
  }

  private send(frame: string): void {
    try {
      this.carrier.socket.send(frame);
    } catch {
      // The stream is closing; the call's end is handled by the session.
    }
  }
}
