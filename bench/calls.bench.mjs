/**
 * How many live calls one machine carries (issue 19): the real Worker in `wrangler dev` bridges N
 * simultaneous calls between a fake Twilio and a fake Gemini Live that both run here, in Node,
 * outside workerd (bench/lib/fake-twilio.mjs, bench/lib/fake-gemini-live.mjs), so what is
 * measured is the bridge and not the simulators.
 *
 * Each call: REST create, signed callbacks, a Media Streams WebSocket sending a 20 ms μ-law frame
 * every 20 ms; the model answers every 20 ms it hears with 20 ms of audio after BENCH_THINK_MS.
 * Frames are tones that tell their slot (bench/lib/tagged-audio.mjs), so each one is matched end
 * to end. Per N, in a steady window while all N calls talk:
 *   - added latency each way: carrier send → model receives, and model send → carrier receives
 *     (the think time is not in either), p50 / p99 / max;
 *   - frames lost (sent, never arrived) and out of place (a slot with another frame's tone), over
 *     the whole call;
 *   - workerd's CPU seconds per call-second (/proc), and its RSS growth per live call.
 * The bench fails (exit 1) if a call does not end `completed`, or frames arrive out of place on
 * a leg that lost none, or doubled; lost frames (and the later frames of that call, which then
 * arrive one slot early) and a round whose calls cannot all start (the rounds stop there) are
 * results, not failures. It stops by itself within 5 minutes.
 *
 * `npm run bench:calls`; BENCH_N=1,10,25,50,100,200 · BENCH_STEADY_MS=8000 · BENCH_THINK_MS=100 ·
 * BENCH_PROFILE=1 (a CPU profile of the Worker in the last round's steady window).
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { geminiLivePath } from "../src/voice/gemini-live/messages.ts";
import { startProfile } from "./lib/cpu-profile.mjs";
import { fakeGeminiLive } from "./lib/fake-gemini-live.mjs";
import { fakeTwilio } from "./lib/fake-twilio.mjs";
import * as harness from "./lib/harness.mjs";

const ROUNDS = (process.env.BENCH_N ?? "1,10,25,50,100,200")
  .split(",")
  .map((n) => Number.parseInt(n, 10))
  .filter((n) => n > 0);
const STEADY_MS = harness.envInt("BENCH_STEADY_MS", 8000);
const THINK_MS = harness.envInt("BENCH_THINK_MS", 100);
/** BENCH_PROFILE=1: a CPU profile of the Worker during the last round's steady window. */
const PROFILE = process.env.BENCH_PROFILE === "1";
const GOAL_P99_MS = 20;
/** A round whose calls are not all talking by then is reported as not carried. */
const START_TIMEOUT_MS = 45_000;
const DIRS = harness.benchDirs(".bench-calls", "BENCH_STATE_DIR", "byourside-bench-calls");
const ACCOUNT_SID = `AC${randomBytes(16).toString("hex")}`;
const AUTH_TOKEN = randomBytes(16).toString("hex");
const CLK_TCK = 100;

harness.runBench(main, 290_000);

async function main() {
  harness.resetDirs(DIRS);
  // --- The fakes, on one loopback port -----------------------------------------------------
  /** Per bench call (by index): its call id and what each side saw. */
  const byIndex = new Map();
  const byCallId = new Map();
  const twilio = fakeTwilio({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    hooks: {
      streamReady(call) {
        const c = byCallId.get(call.statusCallback.split("/").pop());
        if (!c?.flowing) return false;
        c.carrier = call;
        return true;
      },
      agentFrame(call, index, tone, at) {
        const c = byCallId.get(call.statusCallback.split("/").pop());
        if (!c) return;
        c.heardAt[index] = at;
        if (tone !== index % 8) c.outOfPlace.out += 1;
      },
    },
  });
  const model = fakeGeminiLive({
    path: geminiLivePath("v1"),
    thinkMs: THINK_MS,
    hooks: {
      session(i) {
        const c = byIndex.get(i);
        if (c) c.session = true;
      },
      flowing(i) {
        const c = byIndex.get(i);
        if (c) c.flowing = true;
      },
      callerFrame(i, index, tone, at) {
        const c = byIndex.get(i);
        if (!c) return;
        c.receivedAt[index] = at;
        if (tone !== index % 8) c.outOfPlace.in += 1;
      },
      replied(i, index, at) {
        const c = byIndex.get(i);
        if (c) c.repliedAt[index] = at;
      },
    },
  });
  const fakes = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => void twilio.handle(req, res, body));
  });
  fakes.on("upgrade", (req, socket, head) => {
    if (!model.upgrade(req, socket, head)) socket.destroy();
  });
  await new Promise((resolve) => fakes.listen(0, harness.HOST, resolve));
  const fakesBase = `http://${harness.HOST}:${fakes.address().port}`;
  twilio.start();

  // --- The Worker ----------------------------------------------------------------------------
  const port = await harness.pickPort(8890);
  const base = `http://${harness.HOST}:${port}`;
  const adminToken = randomBytes(24).toString("hex");
  await harness.applyMigrations(DIRS.state);
  const inspectorPort = PROFILE ? await harness.pickPort(9231) : undefined;
  const { pgid } = await harness.startWrangler({
    port,
    inspectorPort,
    dirs: DIRS,
    logLevel: "warn",
    vars: [
      `ADMIN_TOKEN:${adminToken}`,
      "ENVIRONMENT:development",
      `PUBLIC_BASE_URL:${base}`,
      "TELEPHONY_PROVIDER:twilio",
      `TWILIO_ACCOUNT_SID:${ACCOUNT_SID}`,
      `TWILIO_AUTH_TOKEN:${AUTH_TOKEN}`,
      `TWILIO_API_BASE:${fakesBase}`,
      "VOICE_PROVIDER:gemini",
      `GEMINI_API_KEY:bench-${randomBytes(8).toString("hex")}`,
      `GEMINI_LIVE_URL:${fakesBase.replace("http:", "ws:")}`,
      // The post-call analysis is not what this bench measures.
      "ANALYSIS_PROVIDER:simulator",
    ],
  });
  const http = harness.httpClient(base, { maxSockets: 64, timeoutMs: 30_000 });
  const { auth } = await harness.setUpCallingAccount(http, adminToken, 10_000);

  // --- The rounds ----------------------------------------------------------------------------
  const results = [];
  let nextIndex = 0;
  let failed = false;
  for (const n of ROUNDS) {
    if (harness.isFinishing()) break;
    harness.log(`round: ${n} simultaneous calls`);
    const round = [];
    for (let i = 0; i < n; i++) {
      const c = {
        index: nextIndex++,
        callId: null,
        session: false,
        flowing: false,
        carrier: null,
        receivedAt: [],
        repliedAt: [],
        heardAt: [],
        outOfPlace: { in: 0, out: 0 },
      };
      byIndex.set(c.index, c);
      round.push(c);
    }
    const rssIdle = workerdRss(pgid);
    await Promise.all(
      round.map(async (c) => {
        const placed = await harness.expectJson(
          http.send("POST", "/v1/agent/calls", auth, {
            to: "+14155550123",
            objective: `bench call ${c.index}: talk until the line goes quiet.`,
          }),
          202,
        );
        c.callId = placed.callId;
        byCallId.set(c.callId, c);
      }),
    );
    const allTalking = await until(() => round.every((c) => c.carrier?.tagging), START_TIMEOUT_MS);
    if (!allTalking) {
      const talking = round.filter((c) => c.carrier?.tagging).length;
      harness.log(`  only ${talking} of ${n} calls talking after ${START_TIMEOUT_MS / 1000} s`);
      // A result, not a failure: this machine cannot start that many calls at once.
      results.push({ n, carried: false, talking });
      for (const c of round) if (c.carrier) await twilio.hangUp(c.carrier);
      break;
    }
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const profiler =
      inspectorPort && n === ROUNDS.at(-1)
        ? await startProfile(inspectorPort, { top: 25 })
        : undefined;
    const windowStart = performance.now();
    const cpu0 = workerdCpuSec(pgid);
    const node0 = process.cpuUsage();
    await harness.sleep(STEADY_MS / 2);
    const rssLive = workerdRss(pgid);
    await harness.sleep(STEADY_MS / 2);
    const cpu1 = workerdCpuSec(pgid);
    const node1 = process.cpuUsage(node0);
    const windowEnd = performance.now();
    lag.disable();
    if (profiler) printProfile(await profiler.stop());
    // The far end stops talking; the model's last replies drain; then everyone hangs up.
    for (const c of round) c.carrier.talkStopped = true;
    await harness.sleep(THINK_MS + 1500);
    await Promise.all(round.map((c) => twilio.hangUp(c.carrier)));
    const ended = await Promise.all(round.map((c) => waitTerminal(http, auth, c.callId)));
    const notCompleted = ended.filter((s) => s !== "completed");
    if (notCompleted.length > 0) {
      harness.log(
        `  ${notCompleted.length} calls did not end completed: ${notCompleted.slice(0, 5)}`,
      );
      failed = true;
    }

    const inbound = [];
    const outbound = [];
    let lostIn = 0;
    let lostOut = 0;
    let misplaced = 0;
    /** Frames out of place on a leg that lost none: reordered or corrupted, not shifted by a loss. */
    let unexplained = 0;
    let framesIn = 0;
    let framesOut = 0;
    for (const c of round) {
      const sent = c.carrier.sent;
      framesIn += sent.length;
      framesOut += c.repliedAt.length;
      let callLostIn = 0;
      let callLostOut = 0;
      for (let k = 0; k < sent.length; k++) {
        if (c.receivedAt[k] === undefined) callLostIn += 1;
        else if (sent[k] >= windowStart && sent[k] < windowEnd)
          inbound.push(c.receivedAt[k] - sent[k]);
      }
      for (let j = 0; j < c.repliedAt.length; j++) {
        if (c.heardAt[j] === undefined) callLostOut += 1;
        else if (c.repliedAt[j] >= windowStart && c.repliedAt[j] < windowEnd)
          outbound.push(c.heardAt[j] - c.repliedAt[j]);
      }
      lostIn += callLostIn;
      lostOut += callLostOut;
      // Frames are numbered in arrival order, so after a lost frame every later one sits one slot
      // early and shows the wrong tone: out of place, and explained by the loss.
      misplaced += c.outOfPlace.in + c.outOfPlace.out;
      if (c.outOfPlace.in > 0 && callLostIn === 0) unexplained += c.outOfPlace.in;
      if (c.outOfPlace.out > 0 && callLostOut === 0) unexplained += c.outOfPlace.out;
      // More frames arrived than were sent: something doubled them.
      if (c.receivedAt.length > sent.length || c.heardAt.length > c.repliedAt.length)
        unexplained += 1;
    }
    const callSec = (n * (windowEnd - windowStart)) / 1000;
    const result = {
      n,
      carried: true,
      inbound: stats(inbound),
      outbound: stats(outbound),
      framesIn,
      framesOut,
      lostIn,
      lostOut,
      misplaced,
      cpuPerCallSec: (cpu1 - cpu0) / callSec,
      workerdCores: (cpu1 - cpu0) / ((windowEnd - windowStart) / 1000),
      nodeCores: (node1.user + node1.system) / 1e6 / ((windowEnd - windowStart) / 1000),
      rssPerCallMb: Math.max(0, rssLive - rssIdle) / n / 1024 / 1024,
      lagP99Ms: lag.percentile(99) / 1e6,
      notCompleted: notCompleted.length,
    };
    results.push(result);
    // Frames in the wrong slot with none lost, or more than were sent, are a broken bridge.
    if (unexplained > 0) {
      harness.log(`  ${unexplained} frames out of place that no lost frame explains`);
      failed = true;
    }
    harness.log(
      `  added latency in p50/p99/max ${fmt(result.inbound)} ms, out ${fmt(result.outbound)} ms; ` +
        `lost ${lostIn}/${framesIn} in, ${lostOut}/${framesOut} out; out of place ${misplaced}; ` +
        `workerd ${harness.round(result.workerdCores, 2)} cores, ${harness.round(result.cpuPerCallSec * 1000, 2)} ms CPU per call-second`,
    );
    for (const c of round) {
      byIndex.delete(c.index);
      byCallId.delete(c.callId);
    }
    // Let the finished calls' objects settle before the next round measures from idle.
    await harness.sleep(2000);
  }
  http.destroy();
  twilio.stop();
  model.close();
  fakes.close();
  report(results);
  return failed ? 1 : 0;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    p50: harness.quantile(s, 0.5),
    p99: harness.quantile(s, 0.99),
    max: s.at(-1),
    n: s.length,
  };
}

function fmt(s) {
  return s.n === 0 ? "-" : `${s.p50.toFixed(1)}/${s.p99.toFixed(1)}/${s.max.toFixed(1)}`;
}

async function until(check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await harness.sleep(50);
  }
  return check();
}

async function waitTerminal(http, auth, callId) {
  const terminal = new Set(["completed", "no_answer", "voicemail", "declined", "failed"]);
  const end = Date.now() + 60_000;
  let status = "unknown";
  while (Date.now() < end && !harness.isFinishing()) {
    const res = await http.send("GET", `/v1/agent/calls/${callId}`, auth);
    if (res.status === 200) status = JSON.parse(res.text).status;
    if (terminal.has(status)) return status;
    await harness.sleep(200);
  }
  return status;
}

/** The workerd processes of the bench's process group. */
function workerdPids(pgid) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[2] is the process group (field 5 of stat); comm is between the parentheses.
      if (Number(fields[2]) === pgid && stat.includes("(workerd)")) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** User + system CPU seconds of the workerd processes so far. */
function workerdCpuSec(pgid) {
  let ticks = 0;
  for (const pid of workerdPids(pgid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / CLK_TCK;
}

/** Resident memory of the workerd processes, in bytes. */
function workerdRss(pgid) {
  let kb = 0;
  for (const pid of workerdPids(pgid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb * 1024;
}

function printProfile(profile) {
  console.log(`\nWorker CPU profile, steady window (${profile.samples} samples):`);
  for (const kind of ["self", "inclusive"]) {
    console.log(`  ${kind}:`);
    for (const { fn, percent } of profile[kind])
      console.log(`  ${String(percent).padStart(5)} %  ${fn}`);
  }
}

function report(results) {
  const m = harness.machine();
  const rows = results.map((r) =>
    r.carried
      ? [
          String(r.n),
          fmt(r.inbound),
          fmt(r.outbound),
          `${r.lostIn} / ${r.framesIn}`,
          `${r.lostOut} / ${r.framesOut}`,
          String(r.misplaced),
          harness.round(r.cpuPerCallSec * 1000, 2).toString(),
          harness.round(r.workerdCores, 2).toString(),
          harness.round(r.rssPerCallMb, 2).toString(),
          harness.round(r.nodeCores, 2).toString(),
          harness.round(r.lagP99Ms, 1).toString(),
        ]
      : [
          String(r.n),
          `not carried: ${r.talking} of ${r.n} talking`,
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
        ],
  );
  const under = results.filter(
    (r) =>
      r.carried &&
      r.inbound.p99 < GOAL_P99_MS &&
      r.outbound.p99 < GOAL_P99_MS &&
      r.lostIn + r.lostOut === 0,
  );
  console.log(
    [
      "",
      `bench:calls — ${m.cpu}, ${m.nproc} cores, ${m.memGiB} GiB; node ${m.node}; code ${harness.codeVersion()}`,
      `steady window ${STEADY_MS / 1000} s per round, think time ${THINK_MS} ms (not in the figures)`,
      "",
      harness
        .markdownTable(
          [
            "N",
            "added ms in p50/p99/max",
            "added ms out p50/p99/max",
            "lost in",
            "lost out",
            "out of place",
            "CPU ms / call-s",
            "workerd cores",
            "RSS MB / call",
            "generator cores",
            "generator lag p99 ms",
          ],
          [
            "right",
            "right",
            "right",
            "right",
            "right",
            "right",
            "right",
            "right",
            "right",
            "right",
            "right",
          ],
          rows,
        )
        .join("\n"),
      "",
      `largest N with added p99 < ${GOAL_P99_MS} ms both ways and no frame lost: ${under.at(-1)?.n ?? "none"}`,
    ].join("\n"),
  );
}
