/**
 * The simulators' coded speech: every phone line is read back from its audio after the real
 * path (μ-law in 20 ms frames, 8 → 16 kHz upsampling), and what is not coded speech reads as none.
 */
import { describe, expect, it } from "vitest";
import { decodeMulaw, encodeMulaw } from "../../src/audio/mulaw";
import { Upsampler2x } from "../../src/audio/resample";
import {
  lineAudio,
  lineOfCode,
  PHONE_LINES,
  type PhoneLineKey,
} from "../../src/simulator/phone-lines";
import { type Heard, MAX_CODES, SpeechListener, speechFor } from "../../src/simulator/speech-code";
import { mulberry32 } from "../prng";

/** Audio as the model hears it: μ-law frames of 20 ms, upsampled to 16 kHz, then 400 ms of silence. */
function heardByModel(pcm8k: Int16Array): Heard[] {
  const listener = new SpeechListener(16_000);
  const up = new Upsampler2x();
  const padded = new Int16Array(pcm8k.length + 3200);
  padded.set(pcm8k);
  const out: Heard[] = [];
  for (let i = 0; i < padded.length; i += 160) {
    const frame = decodeMulaw(encodeMulaw(padded.subarray(i, i + 160)));
    out.push(...listener.push(up.process(frame)));
  }
  return out;
}

const utterances = (heard: Heard[]) =>
  heard.filter((h) => h.type === "utterance").map((h) => (h.type === "utterance" ? h.code : -1));

describe("coded speech", () => {
  it("every phone line is recognised as itself after μ-law and resampling", () => {
    for (const key of Object.keys(PHONE_LINES) as PhoneLineKey[]) {
      const heard = heardByModel(lineAudio(key));
      expect(heard[0]).toEqual({ type: "speech_started" });
      expect(utterances(heard).map(lineOfCode)).toEqual([key]);
    }
  });

  it("every code reads back, whatever its syllables", () => {
    for (let code = 0; code < MAX_CODES; code += 7) {
      expect(utterances(heardByModel(speechFor(code, 4 + (code % 5))))).toEqual([code]);
    }
  });

  it("two lines with a pause between them are two utterances", () => {
    const a = lineAudio("hello");
    const b = lineAudio("booking_confirmed");
    const both = new Int16Array(a.length + 4000 + b.length);
    both.set(a);
    both.set(b, a.length + 4000);
    expect(utterances(heardByModel(both)).map(lineOfCode)).toEqual(["hello", "booking_confirmed"]);
  });

  it("a steady tone and noise are heard as sound, but as no line", () => {
    const tone = new Int16Array(8000).map((_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    const random = mulberry32(7);
    const noise = new Int16Array(8000).map(() => Math.round((random() - 0.5) * 12_000));
    expect(utterances(heardByModel(tone))).toEqual([null]);
    expect(utterances(heardByModel(noise))).toEqual([null]);
  });
});
