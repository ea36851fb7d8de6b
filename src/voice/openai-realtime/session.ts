/**
 * An OpenAI Realtime session (protocols.md D) behind the VoiceSession interface. Both directions
 * use `audio/pcmu`, so Twilio's μ-law passes through untouched. Server VAD detects the recipient's
 * speech: `input_audio_buffer.speech_started` is reported as `interrupted` whether or not the
 * response is done (its audio may still be playing); the bridge, which knows from Twilio's mark
 * echoes what was heard, clears Twilio's buffer and calls `truncate` with the played position,
 * and the agent item is truncated there (the official sample's barge-in). The end_call tool is
 * answered with a function_call_output.
 */
import { base64ToBytes } from "../../audio/pcm";
import type { ToolCall, ToolResult } from "../../domain/tool";
import { httpUrlOfWebSocket, type Transport } from "../../lib/loopback";
import type { CallerAudio, VoiceEvents, VoiceSession, VoiceSessionConfig } from "../../ports";
import { answerTrigger } from "../system-prompt";
import { openAiTools } from "../tool-declarations";
import { type OpenAiClientEvent, type OpenAiServerEvent, parseServerEvent } from "./events";

export type OpenAiRealtimeOptions = {
  /** wss://host of the API (or a fake's). */
  baseUrl: string;
  apiKey: string;
  model: string;
  transport: Transport;
};

export async function connectOpenAiRealtime(
  opts: OpenAiRealtimeOptions,
  config: VoiceSessionConfig,
  events: VoiceEvents,
): Promise<VoiceSession> {
  const url = `${opts.baseUrl}/v1/realtime?model=${encodeURIComponent(opts.model)}`;
  const res = await opts.transport(
    new Request(httpUrlOfWebSocket(url), {
      headers: { upgrade: "websocket", authorization: `Bearer ${opts.apiKey}` },
    }),
  );
  const ws = res.webSocket;
  if (!ws) throw new Error(`OpenAI Realtime refused the connection (${res.status})`);
  ws.accept();
  const session = new OpenAiRealtimeSession(ws, events);
  session.configure(config);
  return session;
}

class OpenAiRealtimeSession implements VoiceSession {
  private agentText = "";
  /** Agent audio delivered over the session (ms of μ-law at 8 kHz). */
  private deliveredMs = 0;
  /** The latest agent item with audio, and where its audio began in `deliveredMs`. */
  private speaking: { itemId: string; startMs: number } | undefined;
  private closing = false;
  /** The disclosure the greeting trigger asks for (from the session's configuration). */
  private firstSentence: string | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly events: VoiceEvents,
  ) {
    ws.addEventListener("message", (e) => {
      const event = parseServerEvent(e.data);
      if (event) this.onEvent(event);
    });
    ws.addEventListener("close", (e) => {
      if (!this.closing) events.closed(`model connection closed ${e.code} ${e.reason}`);
    });
  }

  configure(config: VoiceSessionConfig): void {
    this.firstSentence = config.firstSentence;
    this.send({
      type: "session.update",
      session: {
        type: "realtime",
        output_modalities: ["audio"],
        instructions: config.systemPrompt,
        audio: {
          input: {
            format: { type: "audio/pcmu" },
            transcription: {
              model: "gpt-4o-transcribe",
              ...(config.language !== "auto" ? { language: config.language.split("-")[0] } : {}),
            },
            turn_detection: { type: "server_vad", create_response: true, interrupt_response: true },
          },
          output: { format: { type: "audio/pcmu" }, voice: config.voice },
        },
        tools: openAiTools(config.tools),
      },
    });
  }

  begin(): void {
    this.send({
      type: "conversation.item.create",
      item: {
        type: "message",
        role: "user",
        content: [
          {
            type: "input_text",
            text: answerTrigger(this.firstSentence),
          },
        ],
      },
    });
    this.send({ type: "response.create" });
  }

  sendCallerAudio(audio: CallerAudio): void {
    this.send({ type: "input_audio_buffer.append", audio: audio.base64 });
  }

  /** Twilio dropped what was not played: cut the agent item at what the caller heard. */
  truncate(heardMs: number): void {
    const item = this.speaking;
    if (!item || heardMs >= this.deliveredMs) return;
    this.speaking = undefined;
    this.send({
      type: "conversation.item.truncate",
      item_id: item.itemId,
      content_index: 0,
      audio_end_ms: Math.max(0, Math.round(heardMs - item.startMs)),
    });
  }

  inform(text: string): void {
    this.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
    });
    this.send({ type: "response.create" });
  }

  toolResult(call: ToolCall, result: ToolResult, respond: boolean): void {
    this.send({
      type: "conversation.item.create",
      item: { type: "function_call_output", call_id: call.id, output: JSON.stringify(result) },
    });
    if (respond) this.send({ type: "response.create" });
  }

  close(): void {
    this.closing = true;
    this.flushAgent();
    try {
      this.ws.close(1000, "call ended");
    } catch {
      // already closed
    }
  }

  private onEvent(event: OpenAiServerEvent): void {
    switch (event.type) {
      case "response.output_audio.delta": {
        if (!event.delta) return;
        const mulaw = base64ToBytes(event.delta);
        if (this.speaking?.itemId !== event.item_id)
          this.speaking = { itemId: event.item_id ?? "", startMs: this.deliveredMs };
        this.deliveredMs += mulaw.length / 8;
        this.events.audio(mulaw);
        return;
      }
      case "response.output_audio_transcript.delta":
        this.agentText += event.delta ?? "";
        return;
      case "response.output_audio_transcript.done":
        this.flushAgent();
        return;
      case "conversation.item.input_audio_transcription.completed":
        if (event.transcript?.trim()) this.events.transcript("recipient", event.transcript.trim());
        return;
      case "input_audio_buffer.speech_started":
        // The response may be done while its audio still plays: the bridge decides (truncate).
        this.flushAgent();
        this.events.interrupted();
        return;
      case "response.function_call_arguments.done":
        if (!event.name) return;
        this.flushAgent();
        this.events.toolCall({
          id: event.call_id ?? "",
          name: event.name,
          args: argsOf(event.arguments),
        });
        return;
      case "response.done":
        // Not the end of the agent speaking: its audio plays on at Twilio (see truncate).
        this.flushAgent();
        this.events.turnComplete();
        return;
      case "error":
        console.warn("OpenAI Realtime error", { message: event.error?.message });
        return;
    }
  }

  private flushAgent(): void {
    const text = this.agentText.trim();
    this.agentText = "";
    if (text) this.events.transcript("agent", text);
  }

  private send(message: OpenAiClientEvent): void {
    try {
      this.ws.send(JSON.stringify(message));
    } catch {
      // closing
    }
  }
}

/** The function's arguments (a JSON object as text); anything else counts as none. */
function argsOf(args: string | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(args ?? "{}");
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
