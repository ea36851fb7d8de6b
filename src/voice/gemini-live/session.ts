/**
 * A Gemini Live session (protocols.md C) behind the VoiceSession interface: setup first and wait
 * for setupComplete, caller audio up as PCM16 16 kHz, agent audio down from PCM16 24 kHz (both
 * through streaming resamplers that keep their state across frames), transcripts of both sides,
 * barge-in, the end_call tool, and goAway / dropped connections resumed with the latest handle.
 * Server frames may be binary WebSocket frames holding UTF-8 JSON; both kinds are decoded.
 *
 * Long calls: a Live connection lasts about 10 min and says `goAway` about a minute before it
 * ends (protocols.md C, Limits). Setup always asks for session resumption (the server then sends
 * `sessionResumptionUpdate`s; we keep the latest resumable handle) and for sliding-window context
 * compression, without which an audio session also ends at about 15 min as its context fills. On
 * `goAway` we open a new connection with the handle at once. Caller audio that arrives while it is
 * being set up is kept (bounded, in order) and sent once the new session is set up, so no caller
 * frame is lost: the only gap is the reconnect itself.
 */
import { Downsampler3x, Upsampler2x } from "../../audio/resample";
import type { ToolCall, ToolResult } from "../../domain/tool";
import { httpUrlOfWebSocket, type Transport } from "../../lib/loopback";
import type { CallerAudio, VoiceEvents, VoiceSession, VoiceSessionConfig } from "../../ports";
import { answerTrigger } from "../system-prompt";
import { geminiFunctionDeclarations } from "../tool-declarations";
import { callerAudioToGemini, GEMINI_INPUT_AUDIO_MIME, geminiAudioToCaller } from "./audio";
import {
  type GeminiClientMessage,
  type GeminiLiveApiVersion,
  type GeminiServerMessage,
  type GeminiSetup,
  geminiLivePath,
  parseServerMessage,
} from "./messages";

/** The default version's path (where the built-in simulated model is served). */
export const GEMINI_LIVE_PATH = geminiLivePath("v1");

/** Languages Gemini Live accepts as speechConfig.languageCode (protocols.md C); others go by prompt. */
const LANGUAGE_CODES = new Set(
  "de-DE en-AU en-GB en-IN en-US es-US fr-FR hi-IN pt-BR ar-XA es-ES fr-CA id-ID it-IT ja-JP tr-TR vi-VN bn-IN gu-IN kn-IN ml-IN mr-IN ta-IN te-IN nl-NL ko-KR cmn-CN pl-PL ru-RU th-TH".split(
    " ",
  ),
);

const SETUP_TIMEOUT_MS = 10_000;
/**
 * Reconnects after a connection dropped without `goAway` (e.g. 1011 after a long session); a goAway
 * is planned and does not count, so a long call may resume as often as its length needs.
 */
const MAX_UNPLANNED_RESUMPTIONS = 3;
/**
 * Caller audio kept while reconnecting: 20 ms frames, so 750 are 15 s (at 16 kHz PCM16 about
 * 640 KB of base64), more than a setup takes (SETUP_TIMEOUT_MS bounds it at 10 s).
 */
const MAX_PENDING_FRAMES = 750;

export type GeminiLiveOptions = {
  /** wss://host (the API's origin, or the simulator's). */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Default v1, as the SDK connects. */
  apiVersion?: GeminiLiveApiVersion | undefined;
  transport: Transport;
};

export async function connectGeminiLive(
  opts: GeminiLiveOptions,
  config: VoiceSessionConfig,
  events: VoiceEvents,
): Promise<VoiceSession> {
  const session = new GeminiLiveSession(opts, config, events);
  await session.open();
  return session;
}

class GeminiLiveSession implements VoiceSession {
  private ws: WebSocket | undefined;
  private readonly up = new Upsampler2x();
  private readonly down = new Downsampler3x();
  private handle: string | undefined;
  private unplannedResumptions = 0;
  /** Between a goAway (or drop) and the new connection's setupComplete. */
  private resuming = false;
  /** Caller audio messages waiting for the resumed connection, oldest first. */
  private pending: string[] = [];
  private droppedWhileResuming = 0;
  private closing = false;
  private agentText = "";
  private recipientText = "";

  constructor(
    private readonly opts: GeminiLiveOptions,
    private readonly config: VoiceSessionConfig,
    private readonly events: VoiceEvents,
  ) {}

  async open(): Promise<void> {
    const path = geminiLivePath(this.opts.apiVersion ?? "v1");
    const url = `${this.opts.baseUrl}${path}?key=${encodeURIComponent(this.opts.apiKey)}`;
    const res = await this.opts.transport(
      new Request(httpUrlOfWebSocket(url), { headers: { upgrade: "websocket" } }),
    );
    const ws = res.webSocket;
    if (!ws) throw new Error(`Gemini Live refused the connection (${res.status})`);
    ws.binaryType = "arraybuffer";
    ws.accept();
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("Gemini Live setup timed out")),
        SETUP_TIMEOUT_MS,
      );
      ws.addEventListener("message", (e) => {
        const msg = parseServerMessage(e.data);
        if (!msg) return;
        if (msg.setupComplete) {
          clearTimeout(timer);
          resolve();
          return;
        }
        this.onMessage(msg);
      });
      ws.addEventListener("close", (e) => {
        clearTimeout(timer);
        reject(new Error(`Gemini Live closed during setup (${e.code} ${e.reason})`));
        if (this.ws === ws) this.onClose(e.code, e.reason);
      });
    });
    ws.send(JSON.stringify({ setup: this.setup() } satisfies GeminiClientMessage));
    await ready;
    this.ws = ws;
    this.sendPending(ws);
  }

  begin(): void {
    this.send({
      realtimeInput: { text: answerTrigger(this.config.firstSentence) },
    });
  }

  sendCallerAudio(audio: CallerAudio): void {
    if (!this.ws && !this.resuming) return;
    // Resampled now, in arrival order, so the upsampler's state runs on across the reconnect.
    const message = JSON.stringify({
      realtimeInput: {
        audio: { mimeType: GEMINI_INPUT_AUDIO_MIME, data: callerAudioToGemini(audio.pcm, this.up) },
      },
    } satisfies GeminiClientMessage);
    if (this.ws) {
      this.sendRaw(this.ws, message);
      return;
    }
    if (this.pending.length >= MAX_PENDING_FRAMES) {
      this.pending.shift();
      this.droppedWhileResuming += 1;
    }
    this.pending.push(message);
  }

  /** Sends what the caller said while the connection was being replaced, before anything new. */
  private sendPending(ws: WebSocket): void {
    const pending = this.pending;
    this.pending = [];
    this.resuming = false;
    for (const message of pending) this.sendRaw(ws, message);
    if (this.droppedWhileResuming > 0) {
      console.warn("Gemini Live resumption dropped caller audio", {
        frames: this.droppedWhileResuming,
      });
      this.droppedWhileResuming = 0;
    }
  }

  inform(text: string): void {
    this.send({ realtimeInput: { text } });
  }

  /** Gemini carries on by itself once a (blocking) function has its response. */
  toolResult(call: ToolCall, result: ToolResult): void {
    this.send({
      toolResponse: { functionResponses: [{ id: call.id, name: call.name, response: result }] },
    });
  }

  close(): void {
    this.closing = true;
    this.flushTranscripts();
    try {
      this.ws?.close(1000, "call ended");
    } catch {
      // already closed
    }
    this.ws = undefined;
  }

  private setup(): GeminiSetup {
    const languageCode = LANGUAGE_CODES.has(this.config.language)
      ? { languageCode: this.config.language }
      : {};
    return {
      model: `models/${this.opts.model}`,
      generationConfig: {
        responseModalities: ["AUDIO"],
        speechConfig: {
          voiceConfig: { prebuiltVoiceConfig: { voiceName: this.config.voice } },
          ...languageCode,
        },
      },
      systemInstruction: { parts: [{ text: this.config.systemPrompt }] },
      tools: [{ functionDeclarations: geminiFunctionDeclarations(this.config.tools) }],
      realtimeInputConfig: {
        automaticActivityDetection: {
          disabled: false,
          startOfSpeechSensitivity: "START_SENSITIVITY_LOW",
          endOfSpeechSensitivity: "END_SENSITIVITY_LOW",
          prefixPaddingMs: 20,
          silenceDurationMs: 500,
        },
        activityHandling: "START_OF_ACTIVITY_INTERRUPTS",
      },
      inputAudioTranscription: {},
      outputAudioTranscription: {},
      sessionResumption: this.handle ? { handle: this.handle } : {},
      // Default trigger (80% of the window) and target (half of it): protocols.md C.
      contextWindowCompression: { slidingWindow: {} },
    };
  }

  private onMessage(msg: GeminiServerMessage): void {
    const content = msg.serverContent;
    if (content) {
      if (content.inputTranscription?.text) this.recipientText += content.inputTranscription.text;
      if (content.outputTranscription?.text) {
        this.flushRecipient();
        this.agentText += content.outputTranscription.text;
      }
      for (const part of content.modelTurn?.parts ?? []) {
        const data = part.inlineData?.data;
        if (!data) continue;
        this.flushRecipient();
        const mulaw = geminiAudioToCaller(data, this.down);
        if (mulaw.length > 0) this.events.audio(mulaw);
      }
      if (content.interrupted) {
        this.down.reset();
        this.flushAgent();
        this.events.interrupted();
      }
      if (content.turnComplete) {
        this.flushAgent();
        this.events.turnComplete();
      }
    }
    for (const call of msg.toolCall?.functionCalls ?? []) {
      if (!call.name) continue;
      // What was said before the call is complete: the tool may end or pause the conversation.
      this.flushTranscripts();
      this.events.toolCall({ id: call.id ?? "", name: call.name, args: call.args ?? {} });
    }
    if (msg.sessionResumptionUpdate?.resumable && msg.sessionResumptionUpdate.newHandle) {
      this.handle = msg.sessionResumptionUpdate.newHandle;
    }
    if (msg.goAway && this.ws) void this.resume("goAway", true);
  }

  private onClose(code: number, reason: string): void {
    if (this.closing) return;
    void this.resume(`closed ${code} ${reason}`, false);
  }

  /** Reconnects with the latest resumption handle; without one the model leg is lost. */
  private async resume(why: string, planned: boolean): Promise<void> {
    const old = this.ws;
    this.ws = undefined;
    if (this.closing) return;
    if (!this.handle || (!planned && this.unplannedResumptions >= MAX_UNPLANNED_RESUMPTIONS)) {
      this.resuming = false;
      this.pending = [];
      this.flushTranscripts();
      this.events.closed(`model connection lost: ${why}`);
      return;
    }
    if (!planned) this.unplannedResumptions += 1;
    this.resuming = true;
    try {
      old?.close(1000, "resuming");
    } catch {
      // already closed
    }
    try {
      await this.open();
    } catch (e) {
      this.resuming = false;
      this.pending = [];
      this.events.closed(`model resumption failed: ${String(e)}`);
    }
  }

  private send(message: GeminiClientMessage): void {
    if (this.ws) this.sendRaw(this.ws, JSON.stringify(message));
  }

  private sendRaw(ws: WebSocket, message: string): void {
    try {
      ws.send(message);
    } catch {
      // A send on a closing socket: the close handler deals with it.
    }
  }

  private flushRecipient(): void {
    const text = this.recipientText.trim();
    this.recipientText = "";
    if (text) this.events.transcript("recipient", text);
  }

  private flushAgent(): void {
    const text = this.agentText.trim();
    this.agentText = "";
    if (text) this.events.transcript("agent", text);
  }

  private flushTranscripts(): void {
    this.flushRecipient();
    this.flushAgent();
  }
}
