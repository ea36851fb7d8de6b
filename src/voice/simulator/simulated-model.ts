/**
 * The simulated voice model: a Gemini Live server (same wire protocol, protocols.md C) with a
 * scripted agent, so the whole bridge runs offline. It answers setup with setupComplete (as a
 * binary frame, as Gemini may), greets when the call connects with the objective from its
 * system instruction, listens with a simple voice-activity detector, "transcribes" what the
 * recipient said as a canned line, answers, and hangs up with the end_call tool.
 */
import { base64ToBytes, bytesToBase64, pcm16FromBytes, pcm16ToBytes } from "../../audio/pcm";

/** Where this Worker serves the simulated model (Gemini Live's path is appended). */
export const SIMULATED_MODEL_PATH = "/simulator/gemini-live";

/** What the simulated recipient is taken to have said (the simulated carrier's speech burst). */
export const SIMULATED_RECIPIENT_LINE =
  "Sure, we can do that. I have booked a table for 4 at 7 PM on Friday under the name Smith. That will be 249 dollars deposit.";
const CLOSING_LINE = "Wonderful, thank you very much for your help. Goodbye!";

const VOICE_RMS = 600;
/** Speech this long, then silence this long, is a finished utterance (ms). */
const MIN_SPEECH_MS = 300;
const END_SILENCE_MS = 300;
/** Spoken audio per word of text, capped, so replies take a plausible but short time. */
const MS_PER_WORD = 40;
const MAX_UTTERANCE_MS = 1500;
const CHUNK_MS = 100;

/** 100 ms of a voiced 24 kHz waveform (a 180 Hz buzz with harmonics), base64 PCM16. */
const VOICE_CHUNK = (() => {
  const n = (24_000 * CHUNK_MS) / 1000;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 24_000;
    const v =
      Math.sin(2 * Math.PI * 180 * t) +
      0.5 * Math.sin(2 * Math.PI * 360 * t) +
      0.25 * Math.sin(2 * Math.PI * 720 * t);
    pcm[i] = Math.round(v * 6000);
  }
  return bytesToBase64(pcm16ToBytes(pcm));
})();

type Phase = "setup" | "waiting" | "greeted" | "answered";

export class SimulatedModel {
  private phase: Phase = "setup";
  private objective = "";
  private speechMs = 0;
  private silenceMs = 0;

  constructor(private readonly send: (frame: string | Uint8Array) => void) {}

  receive(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (this.phase === "setup" && "setup" in msg) {
      const setup = msg.setup as { systemInstruction?: { parts?: { text?: string }[] } };
      const prompt = setup.systemInstruction?.parts?.[0]?.text ?? "";
      this.objective = /^Objective: (.*)$/m.exec(prompt)?.[1] ?? "";
      this.phase = "waiting";
      this.send(new TextEncoder().encode(JSON.stringify({ setupComplete: {} })));
      this.sendJson({
        sessionResumptionUpdate: { newHandle: `sim-${crypto.randomUUID()}`, resumable: true },
      });
      return;
    }
    const input = msg.realtimeInput as { text?: string; audio?: { data?: string } } | undefined;
    if (input?.text && this.phase === "waiting") {
      this.phase = "greeted";
      // The first sentence the trigger asks for (the disclosure), as a model told so would say it.
      const disclosure =
        /must be: "([^"]+)"/.exec(input.text)?.[1] ??
        "Hello, this is an AI assistant calling on behalf of a client.";
      this.speak(`${disclosure} ${this.objective}`.trim());
      return;
    }
    if (input?.audio?.data && this.phase === "greeted") this.listen(input.audio.data);
  }

  private listen(data: string): void {
    const pcm = pcm16FromBytes(base64ToBytes(data));
    let sum = 0;
    for (const s of pcm) sum += s * s;
    const rms = pcm.length > 0 ? Math.sqrt(sum / pcm.length) : 0;
    const ms = (pcm.length / 16_000) * 1000;
    if (rms >= VOICE_RMS) {
      this.speechMs += ms;
      this.silenceMs = 0;
      return;
    }
    this.silenceMs += ms;
    if (this.speechMs >= MIN_SPEECH_MS && this.silenceMs >= END_SILENCE_MS) {
      this.phase = "answered";
      this.sendJson({ serverContent: { inputTranscription: { text: SIMULATED_RECIPIENT_LINE } } });
      this.speak(CLOSING_LINE);
      this.sendJson({
        toolCall: {
          functionCalls: [{ id: "fc_end", name: "end_call", args: { reason: "objective done" } }],
        },
      });
    }
  }

  private speak(text: string): void {
    const words = text.split(/\s+/);
    const half = Math.ceil(words.length / 2);
    this.sendJson({
      serverContent: { outputTranscription: { text: `${words.slice(0, half).join(" ")} ` } },
    });
    const chunks = Math.max(
      1,
      Math.round(Math.min(MAX_UTTERANCE_MS, words.length * MS_PER_WORD) / CHUNK_MS),
    );
    for (let i = 0; i < chunks; i++) {
      this.sendJson({
        serverContent: {
          modelTurn: {
            parts: [{ inlineData: { mimeType: "audio/pcm;rate=24000", data: VOICE_CHUNK } }],
          },
        },
      });
    }
    this.sendJson({
      serverContent: { outputTranscription: { text: words.slice(half).join(" ") } },
    });
    this.sendJson({ serverContent: { generationComplete: true } });
    this.sendJson({ serverContent: { turnComplete: true } });
  }

  private sendJson(message: unknown): void {
    this.send(JSON.stringify(message));
  }
}
