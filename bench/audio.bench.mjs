/**
 * CPU cost per 20 ms frame of the Gemini bridge's audio path (see bench/README.md):
 *
 * - inbound:  Twilio media payload (base64 μ-law 8 kHz, 160 B) → bytes → PCM16 → 16 kHz →
 *             PCM16 LE bytes → base64 → JSON.stringify of a Gemini `realtimeInput` message;
 * - outbound: JSON.parse of a Gemini `serverContent` message (960 B of 24 kHz PCM16) → bytes →
 *             PCM16 → 8 kHz → μ-law → base64 → JSON.stringify of a Twilio `media` message.
 *
 * Run with `npx tsx bench/audio.bench.mjs` (tsx loads the TypeScript sources directly).
 * Knobs: BENCH_FRAMES (measured frames per row, default 100000), BENCH_WARMUP (default 20000).
 */
import { decodeMulaw, encodeMulaw, encodeMulawSample } from "../src/audio/mulaw.ts";
import {
  BASE64_IMPL,
  base64ToBytes,
  bytesToBase64,
  pcm16BytesView,
  pcm16View,
} from "../src/audio/pcm.ts";
import { Downsampler3x, Upsampler2x } from "../src/audio/resample.ts";
import {
  callerAudioToGemini,
  GEMINI_INPUT_AUDIO_MIME,
  geminiAudioToCaller,
} from "../src/voice/gemini-live/audio.ts";
import { FRAME_COUNT, STREAM_SID, testAudio } from "./lib/test-audio.mjs";

const FRAMES = Number(process.env.BENCH_FRAMES ?? 100_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20_000);
const GOAL_US = 25;

// --- One second of speech-like test audio (50 distinct frames, cycled) -------------------------

/**
 * What Twilio sends: 160 μ-law bytes per frame, base64 inside a JSON text frame. What Gemini
 * sends: 480 samples = 960 bytes of 24 kHz PCM16 per 20 ms.
 */
const { inboundPayloads, twilioFrames, geminiMessages } = testAudio(6000);

// --- The two pipelines --------------------------------------------------------------------------

const up = new Upsampler2x();
const down = new Downsampler3x();

// The totals run the Gemini Live session's own conversions, framed as the session frames them.
function inbound(payload) {
  const data = callerAudioToGemini(decodeMulaw(base64ToBytes(payload)), up);
  return JSON.stringify({ realtimeInput: { audio: { mimeType: GEMINI_INPUT_AUDIO_MIME, data } } });
}

function outbound(message) {
  const parsed = JSON.parse(message);
  const mulaw = geminiAudioToCaller(parsed.serverContent.modelTurn.parts[0].inlineData.data, down);
  const payload = bytesToBase64(mulaw);
  return JSON.stringify({ event: "media", streamSid: STREAM_SID, media: { payload } });
}

// Per-stage inputs, precomputed so each row times one stage alone.
const at = (list, i) => list[i % FRAME_COUNT];
const inMulaw = inboundPayloads.map(base64ToBytes);
const inPcm8 = inMulaw.map((b) => decodeMulaw(b));
const inPcm16 = inPcm8.map((p) => new Upsampler2x().process(p));
const inBytes = inPcm16.map((p) => pcm16BytesView(p).slice());
const inData = inBytes.map(bytesToBase64);
const outData = geminiMessages.map(
  (m) => JSON.parse(m).serverContent.modelTurn.parts[0].inlineData.data,
);
const outBytes = outData.map(base64ToBytes);
const outPcm24 = outBytes.map((b) => pcm16View(b.slice()));
const outPcm8 = outPcm24.map((p) => new Downsampler3x().process(p));
const outMulaw = outPcm8.map((p) => encodeMulaw(p));
const outPayload = outMulaw.map(bytesToBase64);

/** The per-sample formula instead of the 64 KiB table, for comparison. */
function encodeMulawFormula(samples) {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeMulawSample(samples[i]);
  return out;
}

const rows = [
  ["**inbound total** (Twilio → Gemini)", (i) => inbound(at(inboundPayloads, i)), true],
  ["↳ base64 → bytes (216 chars → 160 B)", (i) => base64ToBytes(at(inboundPayloads, i))],
  ["↳ μ-law decode (160 samples)", (i) => decodeMulaw(at(inMulaw, i))],
  ["↳ 8k → 16k `Upsampler2x` (160 → 320)", (i) => up.process(at(inPcm8, i))],
  ["↳ PCM16 → LE bytes (640 B, a view)", (i) => pcm16BytesView(at(inPcm16, i))],
  ["↳ bytes → base64 (640 B → 856 chars)", (i) => bytesToBase64(at(inBytes, i))],
  [
    "↳ JSON.stringify `realtimeInput`",
    (i) =>
      JSON.stringify({
        realtimeInput: { audio: { mimeType: "audio/pcm;rate=16000", data: at(inData, i) } },
      }),
  ],
  ["(not in total) JSON.parse of the Twilio `media` frame", (i) => JSON.parse(at(twilioFrames, i))],
  ["**outbound total** (Gemini → Twilio)", (i) => outbound(at(geminiMessages, i)), true],
  ["↳ JSON.parse `serverContent` (1280-char audio)", (i) => JSON.parse(at(geminiMessages, i))],
  ["↳ base64 → bytes (1280 chars → 960 B)", (i) => base64ToBytes(at(outData, i))],
  ["↳ LE bytes → PCM16 (480 samples, a view)", (i) => pcm16View(at(outBytes, i))],
  ["↳ 24k → 8k `Downsampler3x` (480 → 160)", (i) => down.process(at(outPcm24, i))],
  ["↳ μ-law encode, 64 KiB table (160 samples)", (i) => encodeMulaw(at(outPcm8, i))],
  ["(alternative) μ-law encode, clz32 formula", (i) => encodeMulawFormula(at(outPcm8, i))],
  ["↳ bytes → base64 (160 B → 216 chars)", (i) => bytesToBase64(at(outMulaw, i))],
  [
    "↳ JSON.stringify Twilio `media`",
    (i) =>
      JSON.stringify({
        event: "media",
        streamSid: STREAM_SID,
        media: { payload: at(outPayload, i) },
      }),
  ],
];

// --- Measurement --------------------------------------------------------------------------------

let sink = 0;
const consume = (v) => {
  sink = (sink + (typeof v === "string" ? v.length : (v?.length ?? 1))) | 0;
};

/** Median cost of an empty timed region, subtracted from per-frame samples. */
function timerOverheadNs() {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = process.hrtime.bigint();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  samples.sort();
  return samples[samples.length >> 1];
}

function measure(fn, overheadNs) {
  for (let i = 0; i < WARMUP; i++) consume(fn(i));
  // 1) Mean: one tight loop, no per-frame timers; CPU from process.cpuUsage (all threads,
  //    GC included) next to wall time.
  const cpu0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < FRAMES; i++) consume(fn(i));
  const wallNs = Number(process.hrtime.bigint() - w0);
  const cpu = process.cpuUsage(cpu0);
  // 2) Distribution: every frame timed on its own.
  const samples = new Float64Array(FRAMES);
  for (let i = 0; i < FRAMES; i++) {
    const t0 = process.hrtime.bigint();
    consume(fn(i));
    samples[i] = Math.max(0, Number(process.hrtime.bigint() - t0) - overheadNs);
  }
  samples.sort();
  const q = (p) => samples[Math.min(FRAMES - 1, Math.floor(p * FRAMES))] / 1000;
  return {
    meanUs: wallNs / FRAMES / 1000,
    cpuUs: (cpu.user + cpu.system) / FRAMES,
    p50Us: q(0.5),
    p99Us: q(0.99),
  };
}

const fmt = (v) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
const overheadNs = timerOverheadNs();

console.log(
  `Node ${process.versions.node} (V8 ${process.versions.v8}), base64 via ${BASE64_IMPL}; ` +
    `${FRAMES} frames per row after ${WARMUP} warm-up; timer overhead ${overheadNs} ns subtracted from p50/p99.\n`,
);
console.log("| Stage (per 20 ms frame) | mean µs | CPU µs | p50 µs | p99 µs |");
console.log("|---|--:|--:|--:|--:|");
const verdicts = [];
for (const [label, fn, isTotal] of rows) {
  const r = measure(fn, overheadNs);
  console.log(
    `| ${label} | ${fmt(r.meanUs)} | ${fmt(r.cpuUs)} | ${fmt(r.p50Us)} | ${fmt(r.p99Us)} |`,
  );
  if (isTotal)
    verdicts.push(
      `${label.replaceAll("*", "")}: mean ${fmt(r.meanUs)} µs ${r.meanUs < GOAL_US ? "<" : "≥"} ${GOAL_US} µs goal`,
    );
}
console.log(`\n${verdicts.join("\n")}`);
if (sink === 42) console.log(""); // keeps `sink` observable so no stage is optimised away
