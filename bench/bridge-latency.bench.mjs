import { availableParallelism, loadavg } from "node:os";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { decodeMulaw, encodeMulaw } from "../src/audio/mulaw.ts";
import { BASE64_IMPL, base64ToBytes } from "../src/audio/pcm.ts";
import { MediaBridge } from "../src/call-session/media/media-bridge.ts";
import { Recorder } from "../src/recording/r2-recorder.ts";
import { twilioMediaCodec } from "../src/telephony/twilio/media-codec.ts";
import { connectVoice } from "../src/voice/connect.ts";
import { codeVersion, envInt, log, machine, round, sleep } from "./lib/harness.mjs";
import { FRAME_COUNT, STREAM_SID, testAudio } from "./lib/test-audio.mjs";

const FRAMES = envInt("BENCH_FRAMES", 50_000);
const WARMUP = envInt("BENCH_WARMUP", 10_000, { min: 0 });
const ROUNDS = Math.min(envInt("BENCH_ROUNDS", 10), FRAMES);
const PACE_MS = envInt("BENCH_PACE_MS", 0, { min: 0 });
const PACED_FRAMES = envInt("BENCH_PACED_FRAMES", 500);
const DELIVERY = process.env.BENCH_DELIVERY === "microtask" ? "microtask" : "immediate";
const RECORDER = process.env.BENCH_RECORDER !== "0";
const GOAL_US = 1000;
/** Frames slower than this are counted, and checked against GC pauses. */
const SLOW_NS = 1_000_000;

const deliver = DELIVERY === "microtask" ? queueMicrotask : setImmediate;
const now = () => Number(process.hrtime.bigint());

/** GC pauses as [startNs, endNs, kind] on the `now()` clock, to explain the slowest frames. */
const gcPauses = [];
const perfToNs = now() - performance.now() * 1e6;
const addGcEntries = (entries) => {
  for (const e of entries) {
    const start = e.startTime * 1e6 + perfToNs;
    gcPauses.push([start, start + e.duration * 1e6, e.detail?.kind ?? 0]);
  }
};
const gcObserver = new PerformanceObserver((list) => addGcEntries(list.getEntries()));
gcObserver.observe({ entryTypes: ["gc"] });

// --- One second of speech-like test audio (50 distinct frames, cycled), as in audio.bench.mjs ---

// What Twilio sends (160 μ-law bytes per frame, base64 in JSON) and what Gemini sends back (480
// samples = 960 bytes of 24 kHz PCM16 per 20 ms). Harmonics stop at 3.4 kHz at both rates, so
// frame f at 24 kHz is the same sound as frame f at 8 kHz: the fake model's answer is an echo of
// what it heard.
const { pcm8k, twilioFrames, geminiMessages: geminiReplies } = testAudio(3400);

// --- In-memory WebSockets -----------------------------------------------------------------------

/** One end of a socket pair: what `send` is given reaches the peer's listeners, asynchronously. */
class FakeSocket {
  peer = undefined;
  readyState = 1;
  binaryType = "blob";
  /** Called synchronously at the start of every `send` (the probe's "leaves" stamp). */
  onSend = undefined;
  listeners = { message: [], close: [], error: [] };

  accept() {}

  addEventListener(type, fn) {
    this.listeners[type]?.push(fn);
  }

  send(data) {
    if (this.readyState !== 1) throw new Error("WebSocket is not open");
    this.onSend?.(data);
    const peer = this.peer;
    deliver(() => peer.dispatch("message", { data }));
  }

  close(code = 1000, reason = "") {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.peer.readyState = 3;
    const peer = this.peer;
    deliver(() => {
      peer.dispatch("close", { code, reason, wasClean: true });
      this.dispatch("close", { code, reason, wasClean: true });
    });
  }

  dispatch(type, event) {
    for (const fn of this.listeners[type]) fn(event);
  }
}

function socketPair() {
  const a = new FakeSocket();
  const b = new FakeSocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

// --- The fake voice model and the two harnesses -------------------------------------------------

/**
 * Fake Gemini Live server on `socket`: setup → setupComplete; every audio message (recognised by
 * a fixed prefix, the same constant-time check in both modes) → the 24 kHz echo of the next frame,
 * at once. Anything else (the greeting) is ignored.
 */
function fakeModel(socket, audioPrefix, h) {
  socket.addEventListener("message", (e) => {
    const data = e.data;
    if (typeof data !== "string") return;
    if (data.startsWith(audioPrefix)) {
      h.modelAt[h.m++] = now();
      socket.send(geminiReplies[h.heard++ % FRAME_COUNT]);
      return;
    }
    if (data.startsWith('{"setup"')) socket.send('{"setupComplete":{}}');
  });
}

/** Per-harness state: the phone's end of the Twilio socket, stamps of the current round. */
function newHarness(name, capacity) {
  const [phone, server] = socketPair();
  const h = {
    name,
    phone,
    server,
    sent: 0,
    heard: 0,
    received: 0,
    target: 0,
    pacedMode: false,
    lastEcho: undefined,
    done: undefined,
    arriveAt: new Float64Array(capacity),
    modelAt: new Float64Array(capacity),
    leaveAt: new Float64Array(capacity),
    a: 0,
    m: 0,
    l: 0,
    sendNext() {
      h.phone.send(twilioFrames[h.sent++ % FRAME_COUNT]);
    },
  };
  // The bridge follows each agent chunk with a playback mark; the probe times the audio frames.
  const isMark = (data) => typeof data === "string" && data.startsWith('{"event":"mark"');
  server.onSend = (data) => {
    if (!isMark(data)) h.leaveAt[h.l++] = now();
  };
  phone.addEventListener("message", (e) => {
    if (isMark(e.data)) return;
    h.lastEcho = e.data;
    h.received += 1;
    if (h.received >= h.target) h.done?.();
    else if (!h.pacedMode) h.sendNext();
  });
  return h;
}

/** The bridge as the CallSession wires it, minus the Durable Object around it. */
async function bridgeHarness(capacity) {
  const h = newHarness("bridge", capacity);
  const recorder = RECORDER ? new Recorder(fakeR2Bucket(), "recordings/bench/call.wav") : undefined;
  const bridge = new MediaBridge(
    { socket: h.server, streamId: STREAM_SID, codec: twilioMediaCodec },
    Date.now(),
    recorder,
    {
      agentHungUp: () => fail("the bridge hung up"),
      modelLost: (reason) => fail(`model lost: ${reason}`),
      line: () => {},
    },
  );
  const decoder = new TextDecoder();
  // CallSession.webSocketMessage, for the frames this benchmark sends (the stream is already
  // started and authenticated; state and attachment checks are not part of the bridge).
  h.server.addEventListener("message", (e) => {
    h.arriveAt[h.a++] = now();
    const message = e.data;
    const text = typeof message === "string" ? message : decoder.decode(message);
    const frame = twilioMediaCodec.parse(text);
    if (!frame) return;
    if (frame.kind === "media") bridge.recipientAudio(frame.payload);
    else if (frame.kind === "mark") bridge.mark(frame.name);
  });
  const transport = async () => {
    const [client, model] = socketPair();
    fakeModel(model, '{"realtimeInput":{"audio"', h);
    return { status: 101, webSocket: client };
  };
  const session = await connectVoice(
    { provider: "gemini", baseUrl: "wss://gemini.bench.invalid", apiKey: "bench", model: "bench" },
    "https://bench.invalid",
    transport,
    { systemPrompt: "Benchmark.", voice: "Aoede", language: "en-US" },
    bridge,
  );
  bridge.attach(session);
  h.stop = () => bridge.finish();
  return h;
}

/** The same sockets and fake model; frames and answers forwarded unchanged. */
function baselineHarness(capacity) {
  const h = newHarness("baseline", capacity);
  const [relay, model] = socketPair();
  fakeModel(model, '{"event":"media"', h);
  h.server.addEventListener("message", (e) => {
    h.arriveAt[h.a++] = now();
    relay.send(e.data);
  });
  relay.addEventListener("message", (e) => h.server.send(e.data));
  h.stop = () => relay.close();
  return h;
}

/** Enough of R2 for the Recorder: parts are accepted and dropped. */
function fakeR2Bucket() {
  return {
    put: async () => ({}),
    createMultipartUpload: async () => ({
      uploadPart: async (partNumber) => ({ partNumber, etag: `etag-${partNumber}` }),
      complete: async () => ({}),
      abort: async () => {},
    }),
  };
}

// --- Driving ------------------------------------------------------------------------------------

/** Closed loop: the next frame goes out when the previous echo is back. */
function closedLoop(h, n) {
  resetStamps(h, n);
  return new Promise((resolve) => {
    h.done = resolve;
    h.sendNext();
  });
}

/** Paced: one frame every `paceMs` from `startAt` (performance.now() ms), echoes or not. */
async function paced(h, n, paceMs, startAt) {
  resetStamps(h, n);
  h.pacedMode = true;
  const finished = new Promise((resolve) => {
    h.done = resolve;
  });
  for (let i = 0; i < n; i++) {
    const wait = startAt + i * paceMs - performance.now();
    if (wait > 0) await sleep(wait);
    h.sendNext();
  }
  await finished;
  h.pacedMode = false;
}

function resetStamps(h, n) {
  if (n > h.arriveAt.length) throw new Error("round larger than the stamp buffers");
  h.a = 0;
  h.m = 0;
  h.l = 0;
  h.received = 0;
  h.target = n;
}

/** Latencies (ns) of the round just finished, appended to `into`. */
function collect(h, n, into) {
  if (h.a !== n || h.m !== n || h.l !== n) {
    fail(`${h.name}: ${n} frames sent, ${h.a} arrived, ${h.m} reached the model, ${h.l} left`);
  }
  for (let i = 0; i < n; i++) {
    const total = h.leaveAt[i] - h.arriveAt[i];
    if (total > SLOW_NS) into.slow.push([h.arriveAt[i], h.leaveAt[i]]);
    into.total.push(total);
    into.inbound.push(h.modelAt[i] - h.arriveAt[i]);
    into.outbound.push(h.leaveAt[i] - h.modelAt[i]);
  }
}

const emptySamples = () => ({ total: [], inbound: [], outbound: [], slow: [] });

/** Nearest-rank percentiles, in µs. */
function stats(ns) {
  const sorted = Float64Array.from(ns).sort();
  const q = (p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] / 1000;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    frames: sorted.length,
    p50Us: round(q(0.5), 1),
    p95Us: round(q(0.95), 1),
    p99Us: round(q(0.99), 1),
    p999Us: round(q(0.999), 1),
    maxUs: round(q(1), 1),
    meanUs: round(sum / sorted.length / 1000, 1),
  };
}

function summarise(bridge, baseline) {
  const out = { bridge: {}, baseline: {}, added: {} };
  for (const part of ["total", "inbound", "outbound"]) {
    const b = stats(bridge[part]);
    const p = stats(baseline[part]);
    out.bridge[part] = b;
    out.baseline[part] = p;
    out.added[part] = Object.fromEntries(
      ["p50Us", "p95Us", "p99Us", "p999Us", "maxUs", "meanUs"].map((k) => [
        k,
        round(b[k] - p[k], 1),
      ]),
    );
  }
  out.slowFrames = {
    thresholdUs: SLOW_NS / 1000,
    bridge: slowFrames(bridge.slow),
    baseline: slowFrames(baseline.slow),
  };
  return out;
}

/** Frames over the threshold, and how many of them overlap a GC pause. */
function slowFrames(slow) {
  const duringGc = slow.filter(([a, l]) => gcPauses.some(([s, e]) => s <= l && e >= a)).length;
  return { count: slow.length, duringGc };
}

/** GC pauses between two `now()` stamps. */
function gcBetween(from, to) {
  const inside = gcPauses.filter(([s]) => s >= from && s <= to);
  const ms = inside.map(([s, e]) => (e - s) / 1e6);
  return {
    pauses: inside.length,
    minor: inside.filter(([, , k]) => k === constants.NODE_PERFORMANCE_GC_MINOR).length,
    major: inside.filter(([, , k]) => k === constants.NODE_PERFORMANCE_GC_MAJOR).length,
    totalMs: round(
      ms.reduce((a, b) => a + b, 0),
      1,
    ),
    maxMs: round(Math.max(0, ...ms), 2),
  };
}

/**
 * Is what comes back the echo? Runs `frames` more frames through the bridge (not timed), decodes
 * what left toward the phone and finds the lag with the best normalised correlation against the
 * audio that went in. Also checks the frame format.
 */
async function checkEcho(h, frames) {
  const firstFrame = h.heard;
  const out = [];
  const onEcho = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.event === "mark") return; // the playback marks that follow each chunk
    if (msg.event !== "media" || msg.streamSid !== STREAM_SID) fail("unexpected frame to Twilio");
    out.push(decodeMulaw(base64ToBytes(msg.media.payload)));
  };
  h.phone.addEventListener("message", onEcho);
  await closedLoop(h, frames);
  h.phone.listeners.message = h.phone.listeners.message.filter((fn) => fn !== onEcho);
  const got = concatPcm(out);
  const want = new Int16Array(frames * 160);
  for (let i = 0; i < frames; i++) {
    const f = (firstFrame + i) % FRAME_COUNT;
    want.set(decodeMulaw(encodeMulaw(pcm8k.subarray(f * 160, (f + 1) * 160))), i * 160);
  }
  let best = { lag: 0, r: -1 };
  for (let lag = 0; lag <= 80; lag++) {
    const r = correlation(want, got, lag);
    if (r > best.r) best = { lag, r };
  }
  return {
    framesChecked: frames,
    samplesPerFrame: out.every((p) => p.length === 160) ? 160 : "varies",
    bestLagSamples: best.lag,
    correlation: round(best.r, 4),
  };
}

function concatPcm(chunks) {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Pearson correlation of want[i] with got[i + lag]. */
function correlation(want, got, lag) {
  const n = Math.min(want.length, got.length - lag);
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const a = want[i];
    const b = got[i + lag];
    sa += a;
    sb += b;
    saa += a * a;
    sbb += b * b;
    sab += a * b;
  }
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

// --- Main ---------------------------------------------------------------------------------------

const roundSize = Math.ceil(FRAMES / ROUNDS);
const capacity = Math.max(roundSize, WARMUP, PACED_FRAMES, FRAME_COUNT * 4);
const bridge = await bridgeHarness(capacity);
const baseline = baselineHarness(capacity);
const order = [bridge, baseline];
const loadBefore = round(loadavg()[0], 2);

log(
  `Node ${process.version}, ${availableParallelism()} CPUs; delivery ${DELIVERY}; ` +
    `warm-up ${WARMUP} frames per mode, then ${FRAMES} in ${ROUNDS} alternating rounds`,
);
for (const h of order) if (WARMUP > 0) await closedLoop(h, WARMUP);

const closed = { bridge: emptySamples(), baseline: emptySamples() };
const t0 = performance.now();
const closedFrom = now();
for (let r = 0, left = FRAMES; left > 0; r++) {
  const n = Math.min(roundSize, left);
  left -= n;
  // ABBA: neither mode always runs first in a round.
  for (const h of r % 2 === 0 ? order : [...order].reverse()) {
    await closedLoop(h, n);
    collect(h, n, closed[h.name]);
  }
}
const closedSec = (performance.now() - t0) / 1000;
const closedTo = now();
log(`closed loop: ${FRAMES} frames per mode in ${closedSec.toFixed(1)} s`);

let pacedSamples;
let pacedFrom = 0;
let pacedTo = 0;
if (PACE_MS > 0) {
  log(
    `paced: ${PACED_FRAMES} frames per mode, one every ${PACE_MS} ms (≈ ${(PACED_FRAMES * PACE_MS) / 1000} s)`,
  );
  pacedSamples = { bridge: emptySamples(), baseline: emptySamples() };
  const start = performance.now() + 5;
  pacedFrom = now();
  // Both at once, half a period apart, so neither waits on the other.
  await Promise.all([
    paced(bridge, PACED_FRAMES, PACE_MS, start),
    paced(baseline, PACED_FRAMES, PACE_MS, start + PACE_MS / 2),
  ]);
  collect(bridge, PACED_FRAMES, pacedSamples.bridge);
  collect(baseline, PACED_FRAMES, pacedSamples.baseline);
  pacedTo = now();
}

const echo = await checkEcho(bridge, 200);
if (echo.correlation < 0.9) fail(`the bridge's output is not the echo (r = ${echo.correlation})`);
if (typeof baseline.lastEcho !== "string" || !baseline.lastEcho.startsWith('{"serverContent"')) {
  fail("the baseline did not pass the model's answer through");
}
for (const h of order) h.stop();
// GC entries reach the observer asynchronously (not at all while microtasks keep the loop busy).
await sleep(20);
addGcEntries(gcObserver.takeRecords());
gcObserver.disconnect();

const closedGc = gcBetween(closedFrom, closedTo);
const closedResult = summarise(closed.bridge, closed.baseline);
const pacedResult = pacedSamples
  ? {
      paceMs: PACE_MS,
      ...summarise(pacedSamples.bridge, pacedSamples.baseline),
      gc: gcBetween(pacedFrom, pacedTo),
    }
  : null;
const addedP99 = closedResult.added.total.p99Us;
const pacedP99 = pacedResult?.added.total.p99Us;
const met = addedP99 < GOAL_US && (pacedP99 === undefined || pacedP99 < GOAL_US);

const summary = {
  bench: "bridge-latency",
  date: new Date().toISOString(),
  machine: { ...machine(), loadavg1Before: loadBefore, loadavg1After: round(loadavg()[0], 2) },
  code: codeVersion(["src"]),
  base64: BASE64_IMPL,
  settings: {
    frames: FRAMES,
    warmup: WARMUP,
    rounds: ROUNDS,
    delivery: DELIVERY,
    paceMs: PACE_MS,
    pacedFrames: PACE_MS > 0 ? PACED_FRAMES : 0,
    recorder: RECORDER ? "Recorder on an in-memory R2 bucket" : "none (BENCH_RECORDER=0)",
  },
  closedLoop: { seconds: round(closedSec, 2), ...closedResult, gc: closedGc },
  paced: pacedResult,
  echo,
  goal: {
    metric: "added p99 (bridge p99 − baseline p99), arrive → leave",
    targetUs: GOAL_US,
    closedLoopAddedP99Us: addedP99,
    pacedAddedP99Us: pacedP99 ?? null,
    met,
  },
};
console.log(JSON.stringify(summary, null, 2));
console.log();
console.log(
  `Node ${process.version} (V8 ${process.versions.v8}), ${summary.machine.nproc} CPUs (${summary.machine.cpu}), ` +
    `load ${loadBefore} before the run, code ${summary.code}, base64 via ${BASE64_IMPL}; fake sockets deliver by ${DELIVERY === "microtask" ? "queueMicrotask" : "setImmediate"}; ` +
    `recorder ${RECORDER ? "on" : "off"}.`,
);
printTable(
  `Closed loop: ${FRAMES} frames per mode after ${WARMUP} warm-up, ${ROUNDS} alternating rounds`,
  closedResult,
  closedGc,
);
if (pacedResult) {
  printTable(
    `Paced: ${PACED_FRAMES} frames per mode, one every ${PACE_MS} ms`,
    pacedResult,
    pacedResult.gc,
  );
}
console.log(
  `\nEcho check: ${echo.framesChecked} frames, r = ${echo.correlation} at a lag of ${echo.bestLagSamples} samples.`,
);
console.log(
  `Goal: added p99 < ${GOAL_US} µs: ${met ? "met" : "NOT met"} ` +
    `(closed loop ${fmt(addedP99)} µs${pacedP99 === undefined ? "" : `, paced ${fmt(pacedP99)} µs`}).`,
);

function printTable(title, r, gc) {
  const row = (label, s) =>
    `| ${label} | ${[s.p50Us, s.p95Us, s.p99Us, s.p999Us, s.maxUs, s.meanUs].map(fmt).join(" | ")} |`;
  console.log(`\n${title}\n`);
  console.log("| arrive → leave, µs | p50 | p95 | p99 | p99.9 | max | mean |");
  console.log("|---|--:|--:|--:|--:|--:|--:|");
  console.log(row("bridge (MediaBridge + Gemini Live session)", r.bridge.total));
  console.log(row("baseline (pass-through)", r.baseline.total));
  console.log(row("**added by the bridge**", r.added.total));
  console.log(row("↳ inbound: arrive → model receives (added)", r.added.inbound));
  console.log(row("↳ outbound: model answers → leave (added)", r.added.outbound));
  const slow = (s) => `${s.count} (${s.duringGc} during a GC pause)`;
  console.log(
    `\nFrames over ${fmt(r.slowFrames.thresholdUs / 1000)} ms: bridge ${slow(r.slowFrames.bridge)}, ` +
      `baseline ${slow(r.slowFrames.baseline)}. GC in this phase (both modes): ${gc.pauses} pauses ` +
      `(${gc.minor} minor, ${gc.major} major), ${fmt(gc.totalMs)} ms in all, longest ${gc.maxMs} ms.`,
  );
}

// --- Helpers ------------------------------------------------------------------------------------

function fmt(v) {
  return v.toFixed(1);
}

function fail(msg) {
  console.error(`[bench] ${msg}`);
  process.exit(1);
}
