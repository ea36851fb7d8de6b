// Audio whose 20 ms frames say where they belong: frame k is a tone at TONES[k % 8], so the far
// side of a resampling path (8 kHz μ-law ↔ 16/24 kHz PCM16) tells from the audio alone which
// frame slot it got, and a lost, doubled or reordered frame shows up as the wrong tone in a slot.
// Used by bench:calls on both directions of the bridge.
import { encodeMulaw } from "../../src/audio/mulaw.ts";
import { bytesToBase64, pcm16ToBytes } from "../../src/audio/pcm.ts";

/** Well inside the telephone band, 200 Hz apart (a 20 ms window resolves 50 Hz). */
export const TONES = [500, 700, 900, 1100, 1300, 1500, 1700, 1900];
export const FRAME_MS = 20;

function tone(hz, sampleRate, samples) {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++)
    out[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  return out;
}

/** The 8 inbound payloads (base64 μ-law, 160 bytes) as Twilio sends them. */
export const INBOUND_PAYLOADS = TONES.map((hz) => bytesToBase64(encodeMulaw(tone(hz, 8000, 160))));

/** The 8 model replies (Gemini Live serverContent, 24 kHz PCM16, 480 samples), as JSON text. */
export const MODEL_REPLIES = TONES.map((hz) =>
  JSON.stringify({
    serverContent: {
      modelTurn: {
        parts: [
          {
            inlineData: {
              mimeType: "audio/pcm;rate=24000",
              data: bytesToBase64(pcm16ToBytes(tone(hz, 24_000, 480))),
            },
          },
        ],
      },
    },
  }),
);

/** Which of TONES dominates `samples` (Goertzel power at each), or -1 for silence. */
export function toneIndex(samples, sampleRate) {
  let best = -1;
  let bestPower = 0;
  let total = 0;
  for (const s of samples) total += s * s;
  for (let t = 0; t < TONES.length; t++) {
    const w = (2 * Math.PI * TONES[t]) / sampleRate;
    const c = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = 0;
    for (const x of samples) {
      const s0 = x + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - c * s1 * s2;
    if (power > bestPower) {
      bestPower = power;
      best = t;
    }
  }
  // A pure tone puts about N/2 of the energy in its bin; silence or a mix does not.
  return total > 0 && bestPower > (total * samples.length) / 8 ? best : -1;
}

/**
 * Cuts a stream of samples into frames of `frameSamples` as they arrive; calls `onFrame(index,
 * toneIndex)` for each whole one.
 */
export class FrameCutter {
  constructor(frameSamples, sampleRate, onFrame) {
    this.frameSamples = frameSamples;
    this.sampleRate = sampleRate;
    this.onFrame = onFrame;
    this.buffer = new Int16Array(frameSamples);
    this.filled = 0;
    this.frames = 0;
  }

  push(samples) {
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(samples.length - i, this.frameSamples - this.filled);
      this.buffer.set(samples.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.frameSamples) {
        this.onFrame(this.frames, toneIndex(this.buffer, this.sampleRate));
        this.frames += 1;
        this.filled = 0;
      }
    }
  }
}
