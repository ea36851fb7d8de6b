#!/usr/bin/env node
/**
 * `npm run bench`: placement throughput against read throughput, on one local `wrangler dev`.
 *
 * Starts its own server on a loopback port with a fresh state dir (.bench/state), sets up an
 * account, a default caller ID and a key (rateLimit 10000/min) through the admin API, then drives
 * (a) GET /v1/agent/calls/{id} and (b) POST /v1/agent/calls at a fixed concurrency for a fixed
 * time each (after a warm-up), prints a JSON summary and rewrites the results table in
 * bench/README.md. Always stops by itself (hard deadline) and kills the server's process group.
 *
 * The carrier is outside the server, as Twilio is in production: by default the Worker runs with
 * TELEPHONY_PROVIDER=twilio against a minimal Twilio REST fake in this process, so the engine
 * really dials every placed call (the fake counts them) without the simulated carrier's per-call
 * Durable Object running inside the measured server. BENCH_CARRIER=simulator measures with the
 * built-in simulated carrier instead.
 *
 * Knobs (env): BENCH_PORT (8790), BENCH_CONCURRENCY (16), BENCH_SECONDS (10), BENCH_WARMUP (2),
 * BENCH_CARRIER (external | simulator), BENCH_SIMULATOR_PACE_MS (600000), BENCH_NO_README=1 to
 * leave bench/README.md alone, BENCH_PROFILE=1 to take a CPU profile of the Worker during the
 * measured placement window and print where its time went (the profiler slows the server, so such
 * a run leaves bench/README.md alone).
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { loadavg } from "node:os";
import { join } from "node:path";
import { startProfile } from "./lib/cpu-profile.mjs";
import * as harness from "./lib/harness.mjs";

// .bench/ holds the server's log; local D1 and Durable Object files go on tmpfs where there is
// one: the benchmark measures the service, not the disk (BENCH_STATE_DIR overrides).
const DIRS = harness.benchDirs(".bench", "BENCH_STATE_DIR", "byourside-bench");
const README = join(harness.ROOT, "bench", "README.md");

const CONCURRENCY = harness.envInt("BENCH_CONCURRENCY", 16);
const MEASURE_MS = harness.envInt("BENCH_SECONDS", 10) * 1000;
const WARMUP_MS = harness.envInt("BENCH_WARMUP", 2) * 1000;
const PREFERRED_PORT = harness.envInt("BENCH_PORT", 8790);
/**
 * One beat of the simulated carrier. 10 min by default, so that the calls are created at the
 * simulated carrier (the engine dials) but none starts ringing, answering or streaming media
 * (50 frames/s per call) during the run: that is call load, not placement load.
 */
const SIMULATOR_PACE_MS = harness.envInt("BENCH_SIMULATOR_PACE_MS", 600_000);
const PROFILE = process.env.BENCH_PROFILE === "1";
const CARRIER = process.env.BENCH_CARRIER ?? "external";
if (CARRIER !== "external" && CARRIER !== "simulator") {
  console.error(
    `[bench] BENCH_CARRIER must be external or simulator, got ${JSON.stringify(CARRIER)}`,
  );
  process.exit(2);
}
const TWILIO_SID = `AC${randomBytes(16).toString("hex")}`;
const TWILIO_TOKEN = randomBytes(16).toString("hex");
/** After the run, how long the engine gets to dial the calls still starting. */
const DRAIN_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Everything (migrations, start-up, both phases) must be done by then, or the run is aborted. */
const HARD_DEADLINE_MS =
  60_000 + harness.STARTUP_TIMEOUT_MS + DRAIN_MS + 2 * (WARMUP_MS + MEASURE_MS + 15_000);

const PLACE_BODY = JSON.stringify({
  to: "+14155550123",
  objective: "Book a table for 4 at 7 PM Friday.",
});

harness.runBench(main, HARD_DEADLINE_MS);

async function main() {
  /** The 1-minute load average before we start: other work on the machine skews the figures. */
  const loadBefore = harness.round(loadavg()[0] ?? 0, 2);
  harness.resetDirs(DIRS);
  const port = await harness.pickPort(PREFERRED_PORT);
  const base = `http://${harness.HOST}:${port}`;
  const adminToken = randomBytes(24).toString("hex");

  await harness.applyMigrations(DIRS.state);

  const carrier = CARRIER === "external" ? await startFakeTwilio() : undefined;
  if (carrier) harness.log(`Twilio REST fake for the carrier on ${carrier.base}`);
  const inspectorPort = PROFILE ? await harness.pickPort(9230) : undefined;
  await startServer(port, adminToken, carrier, inspectorPort);

  const http = harness.httpClient(base, { maxSockets: CONCURRENCY, timeoutMs: REQUEST_TIMEOUT_MS });
  const { account, key } = await harness.setUpCallingAccount(http, adminToken, 10_000);
  const auth = { authorization: `Bearer ${key.key}` };
  const placed = await harness.expectJson(
    http.send("POST", "/v1/agent/calls", auth, PLACE_BODY),
    202,
  );
  await harness.expectJson(http.send("GET", `/v1/agent/calls/${placed.callId}`, auth), 200);
  harness.log(`account ${account.id}, key ${key.id}, call ${placed.callId}`);

  harness.log(
    `read: GET /v1/agent/calls/{id}, ${CONCURRENCY} in flight, ` +
      `${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s`,
  );
  const read = await load(() => http.send("GET", `/v1/agent/calls/${placed.callId}`, auth), 200);
  if (harness.isFinishing()) return 1;
  harness.log(
    `read: ${read.rps} req/s, p50 ${read.p50Ms} ms, p99 ${read.p99Ms} ms, errors ${read.errors}`,
  );

  harness.log(`placement: POST /v1/agent/calls, same settings`);
  let accepted = 1; // the set-up call
  const profiling = inspectorPort ? profileMeasuredWindow(inspectorPort) : undefined;
  const place = await load(async () => {
    const res = await http.send("POST", "/v1/agent/calls", auth, PLACE_BODY);
    if (res.status === 202) accepted++;
    return res;
  }, 202);
  const profile = await profiling;
  harness.log(
    `placement: ${place.rps} req/s, p50 ${place.p50Ms} ms, p99 ${place.p99Ms} ms, ` +
      `errors ${place.errors}`,
  );
  http.destroy();
  // Stopped by a signal or the deadline: the figures are partial, report nothing.
  if (harness.isFinishing()) return 1;
  // Every accepted call must reach the carrier: the engine's work is part of placement.
  let dialed;
  if (carrier) {
    const until = Date.now() + DRAIN_MS;
    while (carrier.created.size < accepted && Date.now() < until) await harness.sleep(100);
    dialed = { accepted, dialed: carrier.created.size };
    harness.log(`carrier: ${dialed.dialed} of ${accepted} accepted calls dialed`);
    carrier.server.close();
  }

  const ratio = read.rps > 0 ? harness.round(place.rps / read.rps, 3) : 0;
  const summary = {
    date: new Date().toISOString(),
    machine: { ...harness.machine(), loadavg1Before: loadBefore },
    code: harness.codeVersion(),
    server:
      `wrangler dev ${harness.version("wrangler")} (local D1 + Durable Objects), ` +
      (carrier
        ? "TELEPHONY_PROVIDER=twilio against the bench's Twilio REST fake"
        : "simulated carrier"),
    settings: {
      concurrency: CONCURRENCY,
      warmupSec: WARMUP_MS / 1000,
      measureSec: MEASURE_MS / 1000,
      keyRateLimitPerMin: 10_000,
      carrier: CARRIER,
      ...(carrier ? {} : { simulatorPaceMs: SIMULATOR_PACE_MS }),
    },
    read,
    placement: place,
    ...(dialed ? { carrierCalls: dialed } : {}),
    ...(profile ? { placementCpuProfile: profile } : {}),
    ratio: { placementRpsOverReadRps: ratio },
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `placement_rps / read_rps = ${ratio} (a regression check against earlier runs; no target)`,
  );
  if (profile) printProfile(profile);
  if (process.env.BENCH_NO_README !== "1" && !profile) {
    writeReadme(summary);
    harness.log("results written to bench/README.md");
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Load generation

/**
 * Keeps CONCURRENCY requests in flight: a warm-up, then a measured window. Counts requests that
 * started inside the window and finished before it closed; in-flight ones at the end are drained
 * but not counted.
 */
async function load(fire, expectedStatus) {
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const measureTo = measureFrom + MEASURE_MS;
  const latencies = [];
  const errors = {};
  const worker = async () => {
    while (performance.now() < measureTo && !harness.isFinishing()) {
      const t0 = performance.now();
      let outcome;
      try {
        const res = await fire();
        outcome = res.status === expectedStatus ? "ok" : `http_${res.status}`;
      } catch (e) {
        outcome = e instanceof Error && e.message === "timeout" ? "timeout" : "network";
      }
      const t1 = performance.now();
      if (t0 < measureFrom || t1 > measureTo) continue;
      if (outcome === "ok") latencies.push(t1 - t0);
      else errors[outcome] = (errors[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  latencies.sort((a, b) => a - b);
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    requests: latencies.length + errorCount,
    ok: latencies.length,
    rps: harness.round(latencies.length / (MEASURE_MS / 1000), 1),
    p50Ms: harness.round(harness.quantile(latencies, 0.5), 1),
    p99Ms: harness.round(harness.quantile(latencies, 0.99), 1),
    maxMs: harness.round(latencies.at(-1) ?? 0, 1),
    errors: errorCount,
    errorsByKind: errors,
  };
}

// ---------------------------------------------------------------------------------------------
// Server

/** Profiles the Worker over the placement phase's measured window (after its warm-up). */
async function profileMeasuredWindow(inspectorPort) {
  await harness.sleep(WARMUP_MS);
  const profiler = await startProfile(inspectorPort);
  await harness.sleep(MEASURE_MS);
  return profiler.stop();
}

function printProfile(profile) {
  console.log(`\nWorker CPU profile, placement window (${profile.samples} samples):`);
  for (const kind of ["self", "inclusive"]) {
    console.log(`  ${kind}:`);
    for (const { fn, percent } of profile[kind])
      console.log(`  ${String(percent).padStart(5)} %  ${fn}`);
  }
}

function startServer(port, adminToken, carrier, inspectorPort) {
  const telephony = carrier
    ? [
        "TELEPHONY_PROVIDER:twilio",
        `TWILIO_ACCOUNT_SID:${TWILIO_SID}`,
        `TWILIO_AUTH_TOKEN:${TWILIO_TOKEN}`,
        `TWILIO_API_BASE:${carrier.base}`,
      ]
    : ["TELEPHONY_PROVIDER:simulator", `SIMULATOR_PACE_MS:${SIMULATOR_PACE_MS}`];
  return harness.startWrangler({
    port,
    dirs: DIRS,
    inspectorPort,
    // Per-request log lines would cost the server time under load.
    logLevel: "warn",
    vars: [
      `ADMIN_TOKEN:${adminToken}`,
      "ENVIRONMENT:development",
      "VOICE_PROVIDER:simulator",
      // The carrier calls this server back, so it must know its own origin.
      `PUBLIC_BASE_URL:http://${harness.HOST}:${port}`,
      ...telephony,
    ],
  });
}

/**
 * The part of Twilio's REST API the engine uses when it dials: create a call (form-encoded, Basic
 * auth) answering 201 with the call's JSON, and update one (hang-up). It sends no callbacks, so
 * each call stays `dialing`, as with a long simulator pace.
 */
function startFakeTwilio() {
  const created = new Set();
  const auth = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString("base64")}`;
  const calls = `/2010-04-01/Accounts/${TWILIO_SID}/Calls`;
  const server = createHttpServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const reply = (status, json) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.method !== "POST" || req.headers.authorization !== auth) {
        return reply(401, { code: 20003, message: "Authenticate", status: 401 });
      }
      const form = new URLSearchParams(body);
      if (req.url === `${calls}.json` && form.get("To") && form.get("From")) {
        const sid = `CA${randomBytes(16).toString("hex")}`;
        created.add(sid);
        return reply(201, {
          sid,
          account_sid: TWILIO_SID,
          to: form.get("To"),
          from: form.get("From"),
          status: "queued",
          date_created: new Date().toUTCString(),
          uri: `${calls}/${sid}.json`,
        });
      }
      const sid = req.url?.match(/\/Calls\/(CA[0-9a-f]{32})\.json$/)?.[1];
      if (sid && created.has(sid)) return reply(200, { sid, status: form.get("Status") });
      return reply(404, { code: 20404, message: "Not found", status: 404 });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: harness.HOST, port: 0 }, () => {
      const address = server.address();
      resolve({ server, created, base: `http://${harness.HOST}:${address.port}` });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function writeReadme(s) {
  const start = "<!-- results:start -->";
  const end = "<!-- results:end -->";
  const m = s.machine;
  const errs = (r) =>
    r.errors === 0
      ? "0"
      : `${r.errors} (${Object.entries(r.errorsByKind)
          .map(([k, v]) => `${k}: ${v}`)
          .join(", ")})`;
  const row = (name, r) => [name, r.rps, r.p50Ms, r.p99Ms, r.maxMs, r.ok, errs(r)].map(String);
  const table = [
    start,
    `Last run: ${s.date.slice(0, 16).replace("T", " ")} UTC — ${m.nproc} CPUs (${m.cpu}), ` +
      `${m.memGiB} GiB, Node ${m.node}, ${m.platform}, load average ${m.loadavg1Before} before ` +
      `the run; code ${s.code}; ${s.server}.`,
    `Concurrency ${s.settings.concurrency}, ${s.settings.warmupSec} s warm-up + ` +
      `${s.settings.measureSec} s measured per endpoint` +
      (s.carrierCalls
        ? `; the carrier was sent ${s.carrierCalls.dialed} of the ${s.carrierCalls.accepted} calls accepted.`
        : `; SIMULATOR_PACE_MS ${s.settings.simulatorPaceMs}.`),
    "",
    ...harness.markdownTable(
      ["endpoint", "req/s", "p50 ms", "p99 ms", "max ms", "ok", "errors"],
      ["left", "right", "right", "right", "right", "right", "left"],
      [
        row("read: `GET /v1/agent/calls/{id}`", s.read),
        row("placement: `POST /v1/agent/calls`", s.placement),
      ],
    ),
    "",
    `**placement_rps / read_rps = ${s.ratio.placementRpsOverReadRps}** (a regression check; no target)`,
    end,
  ].join("\n");
  let text;
  try {
    text = readFileSync(README, "utf8");
  } catch {
    text = "# Placement benchmark\n\n";
  }
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i
      ? text.slice(0, i) + table + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n## Results\n\n${table}\n`;
  writeFileSync(README, next);
}
