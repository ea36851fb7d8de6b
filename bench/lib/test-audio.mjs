// Deterministic test audio for the audio benches (audio.bench.mjs, bridge-latency.bench.mjs): one
// second of speech-like PCM16, cut into 50 distinct 20 ms frames that the benches cycle through,
// as Twilio `media` frames and as Gemini Live `serverContent` messages. Runs under tsx (it loads
// the TypeScript audio sources directly).
import { encodeMulaw } from "../../src/audio/mulaw.ts";
import { bytesToBase64, pcm16ToBytes } from "../../src/audio/pcm.ts";
import { mulberry32 } from "../../test/prng.ts";

/** Distinct frames in the one second of test audio. */
export const FRAME_COUNT = 50;
export const STREAM_SID = "MZ18ad3ab5a668481ce02b83e7395059f0";

/**
 * One second of test audio at 8 kHz (`pcm8k`) and 24 kHz (`pcm24k`), harmonics below
 * `maxHarmonicHz`, and its FRAME_COUNT frames as Twilio sends them (`inboundPayloads`, the base64
 * μ-law payloads, inside `twilioFrames`) and as Gemini sends them (`geminiMessages`).
 */
export function testAudio(maxHarmonicHz) {
  const pcm8k = speechLike(8000, 1, maxHarmonicHz);
  const pcm24k = speechLike(24_000, 1, maxHarmonicHz);
  const { payloads, frames } = twilioMediaFrames(pcm8k);
  return {
    pcm8k,
    pcm24k,
    inboundPayloads: payloads,
    twilioFrames: frames,
    geminiMessages: geminiAudioMessages(pcm24k),
  };
}

/**
 * Harmonics of a gliding 120–220 Hz voice under a 4 Hz syllable envelope, plus a little noise.
 * Harmonics stop below `maxHarmonicHz` (and below Nyquist).
 */
function speechLike(sampleRate, seconds, maxHarmonicHz) {
  const r = mulberry32(42);
  const n = sampleRate * seconds;
  const out = new Int16Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 170 + 50 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / sampleRate;
    let v = 0;
    for (let h = 1; h * f0 < Math.min(sampleRate / 2, maxHarmonicHz); h++) {
      v += Math.sin(h * phase) / h;
    }
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    out[i] = Math.round(6000 * envelope * v + 300 * (r() * 2 - 1));
  }
  return out;
}

/**
 * What Twilio sends for the first FRAME_COUNT frames of 8 kHz `pcm8k`: 160 μ-law bytes per frame,
 * base64 (`payloads`) inside a JSON text frame (`frames`).
 */
function twilioMediaFrames(pcm8k) {
  const payloads = [];
  const frames = [];
  for (let f = 0; f < FRAME_COUNT; f++) {
    const payload = bytesToBase64(encodeMulaw(pcm8k.subarray(f * 160, (f + 1) * 160)));
    payloads.push(payload);
    frames.push(
      JSON.stringify({
        event: "media",
        sequenceNumber: String(f + 3),
        streamSid: STREAM_SID,
        media: { track: "inbound", chunk: String(f + 1), timestamp: String(f * 20), payload },
      }),
    );
  }
  return { payloads, frames };
}

/** What Gemini sends for the first FRAME_COUNT frames of 24 kHz `pcm24k`: 480 samples = 960 B. */
function geminiAudioMessages(pcm24k) {
  const messages = [];
  for (let f = 0; f < FRAME_COUNT; f++) {
    const data = bytesToBase64(pcm16ToBytes(pcm24k.subarray(f * 480, (f + 1) * 480)));
    messages.push(
      JSON.stringify({
        serverContent: {
          modelTurn: { parts: [{ inlineData: { mimeType: "audio/pcm;rate=24000", data } }] },
        },
      }),
    );
  }
  return messages;
}
