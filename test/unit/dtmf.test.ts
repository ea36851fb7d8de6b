/**
 * In-band DTMF: every key the agent can press decodes back from the audio we send (μ-law 8 kHz,
 * as the carrier plays it), from the audio after the 8 kHz path (upsampled as the model hears it,
 * and generated at 24 kHz then decimated), and nothing decodes from speech-like audio or noise.
 */
import { describe, expect, it } from "vitest";
import {
  analyseBlock,
  DTMF_KEYS,
  DtmfDetector,
  dtmfTones,
  GAP_MS,
  MIN_TONE_SHARE,
  TONE_MS,
} from "../../src/audio/dtmf";
import { decodeMulaw, encodeMulaw } from "../../src/audio/mulaw";
import { Downsampler3x, Upsampler2x } from "../../src/audio/resample";
import { validDigits } from "../../src/domain/phone-tree";
import { lineAudio, PHONE_LINES, type PhoneLineKey } from "../../src/simulator/phone-lines";
import { speechFor } from "../../src/simulator/speech-code";
import { mulberry32 } from "../prng";

/** Through μ-law in 20 ms frames, as the media stream carries it. */
function viaMulaw(pcm: Int16Array): Int16Array {
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i += 160)
    out.set(decodeMulaw(encodeMulaw(pcm.subarray(i, i + 160))), i);
  return out;
}

function detect(pcm: Int16Array, rate = 8000, chunk = 160): string {
  const detector = new DtmfDetector(rate);
  const keys: string[] = [];
  for (let i = 0; i < pcm.length; i += chunk)
    keys.push(...detector.push(pcm.subarray(i, i + chunk)));
  return keys.join("");
}

const ALL = DTMF_KEYS;

describe("DTMF generator", () => {
  it("plays each key for 100 ms then 100 ms of silence, and w as a half-second pause", () => {
    expect(TONE_MS).toBeGreaterThanOrEqual(80);
    expect(GAP_MS).toBeGreaterThanOrEqual(80);
    const tones = dtmfTones("1w2");
    expect(tones.length).toBe(1600 + 4000 + 1600);
    // The gap after a key is silent; the peak stays far below μ-law's clip.
    expect(tones.subarray(800, 1600).every((s) => s === 0)).toBe(true);
    expect(Math.max(...tones.map(Math.abs))).toBeLessThanOrEqual(14_000);
  });

  it("accepts keys and pauses only, with at least one key", () => {
    expect(validDigits("12w*#0")).toBe(true);
    expect(validDigits("www")).toBe(false);
    expect(validDigits("1A")).toBe(false);
    expect(validDigits("")).toBe(false);
  });
});

describe("DTMF detector (Goertzel)", () => {
  it("decodes every key from our μ-law output, each once, repeats included", () => {
    for (const key of ALL) expect(detect(viaMulaw(dtmfTones(key)))).toBe(key);
    expect(detect(viaMulaw(dtmfTones(`${ALL}11w#`)))).toBe(`${ALL}11#`);
  });

  it("decodes every key after the 8 kHz path: upsampled to 16 kHz, and made at 24 kHz then decimated", () => {
    const up = new Upsampler2x();
    expect(detect(up.process(viaMulaw(dtmfTones(ALL))), 16_000, 320)).toBe(ALL);
    const down = new Downsampler3x();
    expect(detect(viaMulaw(down.process(dtmfTones(ALL, 24_000))))).toBe(ALL);
  });

  it("decodes keys whatever the block alignment and chunking", () => {
    for (const offset of [0, 37, 101, 204]) {
      const padded = new Int16Array(offset + 8000);
      padded.set(dtmfTones("5#9"), offset);
      expect(detect(viaMulaw(padded), 8000, 97)).toBe("5#9");
    }
  });

  it("decodes nothing from coded speech, every phone line included, or from noise", () => {
    for (let code = 0; code < 256; code += 5)
      expect(detect(viaMulaw(speechFor(code, 10)))).toBe("");
    for (const key of Object.keys(PHONE_LINES) as PhoneLineKey[])
      expect(detect(viaMulaw(lineAudio(key)))).toBe("");
    const random = mulberry32(15);
    for (const level of [300, 3000, 12_000]) {
      const noise = new Int16Array(16_000).map(() => Math.round((random() * 2 - 1) * level));
      expect(detect(viaMulaw(noise))).toBe("");
    }
  });

  it("a key's tone share clears the threshold with margin; speech stays well under it", () => {
    const key = viaMulaw(dtmfTones("0"));
    expect(analyseBlock(key.subarray(200, 405), 8000).share).toBeGreaterThan(0.9);
    let speechMax = 0;
    for (let code = 0; code < 256; code += 3) {
      const s = viaMulaw(speechFor(code, 6));
      for (let i = 0; i + 205 <= s.length; i += 205)
        speechMax = Math.max(speechMax, analyseBlock(s.subarray(i, i + 205), 8000).share);
    }
    expect(speechMax).toBeLessThan(MIN_TONE_SHARE / 2);
  });
});
