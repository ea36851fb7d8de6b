/**
 * The simulated voice model: a Gemini Live server (same wire protocol, protocols.md C) with a
 * scripted agent, so the whole bridge runs offline. It answers setup with setupComplete (as a
 * binary frame, as Gemini may), greets when the call connects with the objective from its
 * system instruction, listens with a simple voice-activity detector, "transcribes" what the
 * recipient said as a canned line, answers, and hangs up with the end_call tool.
 */
import { base64ToBytes, bytesToBase64, pcm16FromBytes, pcm16ToBytes } from "../../audio/pcm";
import { lineAudio, lineOfCode, PHONE_LINES } from "../../simulator/phone-lines";
import { SpeechListener, UTTERANCE_END_MS } from "../../simulator/speech-code";
import type { AgentMoves } from "./agent-moves";
import { AnswererReports } from "./answerer-reports";
import { LINE_REACTIONS, NOTE_REACTIONS, SOUND_REACTIONS, TOOL_REACTIONS } from "./reactions";

/** Where this Worker serves the simulated model (Gemini Live's path is appended). */
export const SIMULATED_MODEL_PATH = "/simulator/gemini-live";

/** What the scripted person of an ordinary number says (for tests of the analysis). */
export const SIMULATED_RECIPIENT_LINE = PHONE_LINES.booking_confirmed;

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

type Phase = "setup" | "waiting" | "greeted";

/**
 * Coded speech in CHUNK_MS pieces, base64 PCM16, as Gemini streams audio. A pause longer than the
 * listener's utterance end goes before and after it, so the line is heard as an utterance of its
 * own however the audio is cut into turns on the way.
 */
function codedChunks(line: Int16Array): string[] {
  const n = (24_000 * CHUNK_MS) / 1000;
  const pause = new Int16Array(((UTTERANCE_END_MS + 100) * 24_000) / 1000);
  const pcm = new Int16Array(pause.length * 2 + line.length);
  pcm.set(line, pause.length);
  const out: string[] = [];
  for (let i = 0; i < pcm.length; i += n)
    out.push(bytesToBase64(pcm16ToBytes(pcm.slice(i, i + n))));
  return out;
}

export class SimulatedModel {
  private phase: Phase = "setup";
  private objective = "";
  private tools = new Set<string>();
  private readonly listener = new SpeechListener(16_000);
  private toolCalls = 0;
  private readonly answerer = new AnswererReports();
  private readonly done = new Set<string>();

  constructor(private readonly send: (frame: string | Uint8Array) => void) {}

  receive(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (this.phase === "setup" && "setup" in msg) {
      const setup = msg.setup as {
        systemInstruction?: { parts?: { text?: string }[] };
        tools?: { functionDeclarations?: { name?: string }[] }[];
      };
      const prompt = setup.systemInstruction?.parts?.[0]?.text ?? "";
      this.objective = /^Objective: (.*)$/m.exec(prompt)?.[1] ?? "";
      for (const t of setup.tools ?? [])
        for (const f of t.functionDeclarations ?? []) if (f.name) this.tools.add(f.name);
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
    if (input?.text && this.phase === "greeted") {
      const moves = this.moves();
      NOTE_REACTIONS.some((react) => react(moves, input.text ?? ""));
    }
    if (input?.audio?.data && this.phase === "greeted") this.listen(input.audio.data);
    const response = msg.toolResponse as
      | { functionResponses?: { name?: string; response?: Record<string, unknown> }[] }
      | undefined;
    for (const r of response?.functionResponses ?? []) {
      if (r.name) TOOL_REACTIONS[r.name]?.(this.moves(), r.response ?? {});
    }
  }

  /** "Transcribes" what the phone said (coded speech) and reacts to the line. */
  private listen(data: string): void {
    for (const heard of this.listener.push(pcm16FromBytes(base64ToBytes(data)))) {
      if (heard.type !== "utterance") continue;
      if (heard.code === null) {
        for (const react of SOUND_REACTIONS) react(this.moves(), { ms: heard.ms });
        continue;
      }
      const key = lineOfCode(heard.code);
      if (!key) continue;
      this.sendJson({ serverContent: { inputTranscription: { text: PHONE_LINES[key] } } });
      this.answerer.heard(key, this.moves());
      LINE_REACTIONS[key]?.(this.moves());
    }
  }

  private moves(): AgentMoves {
    return {
      say: (text) => this.speak(text),
      sayLine: (key) => this.speak(PHONE_LINES[key], lineAudio(key, 24_000)),
      callTool: (name, args) => {
        if (!this.tools.has(name)) return false;
        this.toolCalls += 1;
        this.sendJson({
          toolCall: { functionCalls: [{ id: `fc_${this.toolCalls}`, name, args }] },
        });
        return true;
      },
      offered: (name) => this.tools.has(name),
      objective: this.objective,
      once: (name) => {
        if (this.done.has(name)) return false;
        this.done.add(name);
        return true;
      },
    };
  }

  /** Speaks `text`; with `coded`, its audio is that 24 kHz coded speech instead of the buzz. */
  private speak(text: string, coded?: Int16Array): void {
    const words = text.split(/\s+/);
    const half = Math.ceil(words.length / 2);
    this.sendJson({
      serverContent: { outputTranscription: { text: `${words.slice(0, half).join(" ")} ` } },
    });
    const chunks = Math.max(
      1,
      Math.round(Math.min(MAX_UTTERANCE_MS, words.length * MS_PER_WORD) / CHUNK_MS),
    );
    const audio = coded ? codedChunks(coded) : Array.from({ length: chunks }, () => VOICE_CHUNK);
    for (const data of audio) {
      this.sendJson({
        serverContent: {
          modelTurn: { parts: [{ inlineData: { mimeType: "audio/pcm;rate=24000", data } }] },
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
