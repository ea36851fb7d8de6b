#!/usr/bin/env node
/**
 * `npm run bench:webhooks`: webhook delivery through the local Cloudflare Queue, end to end.
 *
 * Starts a local receiver (node:http on 127.0.0.1, a free port) that records every POST (arrival
 * time, Standard Webhooks headers, raw body) and answers 200 at once; starts its own `wrangler dev`
 * on a loopback port with a fresh state dir, ALLOW_LOCAL_WEBHOOKS and a fast simulated carrier;
 * creates an account, a default caller ID and a key (rateLimit 10000/min) through the admin API.
 * Then two phases, each placing calls to magic numbers that end without an answer (busy, no
 * answer, refused by the carrier) with `webhookUrl` pointing at the receiver, and waiting until
 * every call's terminal event has arrived (or the drain timeout):
 *   - burst: BENCH_CALLS calls, BENCH_CONCURRENCY in flight: delivery throughput, and latency
 *     while the same workerd is busy placing calls;
 *   - trickle: BENCH_TRICKLE_CALLS calls one at a time, BENCH_TRICKLE_GAP_MS apart: latency of
 *     an idle service, where the queue's max_batch_timeout dominates.
 * Finally reads every call's event log and reports: throughput, the time from the terminal event
 * to its first delivery, lost or duplicated events, and Standard Webhooks signature checks with
 * the account's whsec_ secret. Prints a JSON summary and Markdown tables (stdout); never touches
 * bench/README.md. Always stops by itself (hard deadline) and kills the server's process group.
 *
 * Knobs (env): BENCH_CALLS (200), BENCH_CONCURRENCY (8), BENCH_TRICKLE_CALLS (20),
 * BENCH_TRICKLE_GAP_MS (1000), BENCH_PORT (8791), BENCH_SIMULATOR_PACE_MS (200),
 * BENCH_DESTINATIONS (comma-separated E.164 numbers, used in turn; default
 * +14155550102,+14155550100,+14155550103), BENCH_DRAIN_SECONDS (90 per phase),
 * BENCH_DEADLINE_SECONDS (240), BENCH_WEBHOOKS_STATE_DIR, BENCH_LOG_LEVEL (warn; info logs
 * every queue batch to .bench-webhooks/wrangler.log).
 * Exit status: 0 when every call got exactly one terminal event, every logged event reached the
 * receiver and every signature verified; 1 otherwise, or when the run itself failed.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import * as harness from "./lib/harness.mjs";
import { startReceiver } from "./lib/webhook-receiver.mjs";

// Not .bench/: `npm run bench` deletes that directory when it starts, and may run alongside.
// Local D1, Durable Object and queue files go on tmpfs where there is one
// (BENCH_WEBHOOKS_STATE_DIR overrides).
const DIRS = harness.benchDirs(
  ".bench-webhooks",
  "BENCH_WEBHOOKS_STATE_DIR",
  "byourside-bench-webhooks",
);
const HOOK_PATH = "/hook";

const CALLS = harness.envInt("BENCH_CALLS", 200);
const CONCURRENCY = harness.envInt("BENCH_CONCURRENCY", 8);
const PREFERRED_PORT = harness.envInt("BENCH_PORT", 8791);
/** One beat of the simulated carrier: busy at beat 3, no answer at beat 5 after creation. */
const SIMULATOR_PACE_MS = harness.envInt("BENCH_SIMULATOR_PACE_MS", 200);
const TRICKLE_CALLS = harness.envInt("BENCH_TRICKLE_CALLS", 20);
const TRICKLE_GAP_MS = harness.envInt("BENCH_TRICKLE_GAP_MS", 1000);
const DRAIN_MS = harness.envInt("BENCH_DRAIN_SECONDS", 90) * 1000;
const HARD_DEADLINE_MS = harness.envInt("BENCH_DEADLINE_SECONDS", 240) * 1000;
/** After the last terminal event, wait this long for late duplicates before counting. */
const SETTLE_MS = 3000;
/** Kept free at the end of the run for the event-log reads and the report. */
const REPORT_RESERVE_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;
const KEY_RATE_LIMIT = 10_000;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || "warn";
/**
 * Magic numbers of the simulated carrier (src/telephony/simulator/script.ts) that end without
 * an answer, so no media is streamed: busy → `declined`, no answer → `no_answer`, refused at
 * creation → `failed` (placement_failed). An answered call streams 50 frames/s for seconds.
 */
const DESTINATIONS = (process.env.BENCH_DESTINATIONS || "+14155550102,+14155550100,+14155550103")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const TERMINAL_TYPES = new Set([
  "call.completed",
  "call.no_answer",
  "call.voicemail",
  "call.declined",
  "call.failed",
]);

const startedAt = Date.now();

harness.runBench(main, HARD_DEADLINE_MS);

async function main() {
  const loadBefore = harness.round(loadavg()[0] ?? 0, 2);
  harness.resetDirs(DIRS);

  // wrangler dev rebuilds and reloads the Worker when a source file changes (another session
  // editing src/), which can drop in-flight work: such a run is flagged.
  const sourcesBefore = harness.sourceStamp();
  const receiver = await startReceiver();
  const hookUrl = `http://${harness.HOST}:${receiver.port}${HOOK_PATH}`;
  harness.log(`receiver on ${hookUrl}`);

  const port = await harness.pickPort(PREFERRED_PORT);
  const base = `http://${harness.HOST}:${port}`;
  const adminToken = randomBytes(24).toString("hex");

  await harness.applyMigrations(DIRS.state);
  await startServer(port, adminToken);

  const http = harness.httpClient(base, { maxSockets: CONCURRENCY, timeoutMs: REQUEST_TIMEOUT_MS });
  const { admin, account, key } = await harness.setUpCallingAccount(
    http,
    adminToken,
    KEY_RATE_LIMIT,
  );
  const detail = await harness.expectJson(admin("GET", `/admin/accounts/${account.id}`), 200);
  const secret = detail.webhookSecret;
  if (typeof secret !== "string" || !secret.startsWith("whsec_")) {
    throw new Error("GET /admin/accounts/{id} carries no whsec_ webhookSecret");
  }
  const auth = { authorization: `Bearer ${key.key}` };
  harness.log(`account ${account.id}, key ${key.id}`);

  // ---- the two phases: a burst (throughput, latency under load), then a trickle (idle latency)
  const phases = [];
  for (const spec of [
    { name: "burst", calls: CALLS, concurrency: CONCURRENCY, gapMs: 0 },
    { name: "trickle", calls: TRICKLE_CALLS, concurrency: 1, gapMs: TRICKLE_GAP_MS },
  ]) {
    const phase = await runPhase(spec, { http, auth, hookUrl, receiver });
    if (harness.isFinishing()) return 1;
    phases.push(phase);
  }

  // ---- read every call and its event log
  const placed = phases.flatMap((p) => p.placed);
  harness.log(`reading ${placed.length} calls and their event logs`);
  const logs = new Map();
  const readErrors = [];
  let readNext = 0;
  const reader = async () => {
    while (!harness.isFinishing()) {
      const p = placed[readNext++];
      if (!p) return;
      try {
        const call = await http.send("GET", `/v1/agent/calls/${p.callId}`, auth);
        const events = await http.send("GET", `/v1/agent/calls/${p.callId}/events`, auth);
        if (call.status !== 200 || events.status !== 200) {
          readErrors.push(`${p.callId}: ${call.status}/${events.status}`);
          continue;
        }
        logs.set(p.callId, { call: JSON.parse(call.text), events: JSON.parse(events.text).events });
      } catch (e) {
        readErrors.push(`${p.callId}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, reader));
  http.destroy();
  if (harness.isFinishing()) return 1;

  const sourcesChanged = harness.sourceStamp() !== sourcesBefore;
  if (sourcesChanged)
    harness.log("WARNING: files under src/ changed during the run: wrangler dev reloaded");
  const analysis = analyse({
    phases,
    deliveries: receiver.deliveries.slice(),
    logs,
    readErrors,
    secret,
  });
  const summary = {
    date: new Date().toISOString(),
    machine: { ...harness.machine(), loadavg1Before: loadBefore },
    code: harness.codeVersion(),
    server:
      `wrangler dev ${harness.version("wrangler")} ` +
      "(local D1, Durable Objects and Queues, simulator providers)",
    sourcesChangedDuringRun: sourcesChanged,
    settings: {
      burstCalls: CALLS,
      burstConcurrency: CONCURRENCY,
      trickleCalls: TRICKLE_CALLS,
      trickleGapMs: TRICKLE_GAP_MS,
      destinations: DESTINATIONS,
      simulatorPaceMs: SIMULATOR_PACE_MS,
      keyRateLimitPerMin: KEY_RATE_LIMIT,
      queue: queueSettings(),
    },
    latencyNote: LATENCY_NOTE,
    ...analysis,
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log();
  console.log(reportTable(summary));
  receiver.server.close();
  receiver.server.closeAllConnections();
  return summary.checks.ok ? 0 : 1;
}

/**
 * Places `calls` calls (`concurrency` in flight, `gapMs` between placements of one loop), then
 * waits until each has its terminal event at the receiver (or the drain timeout), then SETTLE_MS
 * more for late duplicates.
 */
async function runPhase(spec, { http, auth, hookUrl, receiver }) {
  harness.log(
    `${spec.name}: placing ${spec.calls} calls (${spec.concurrency} in flight` +
      `${spec.gapMs ? `, ${spec.gapMs} ms apart` : ""}) to ${DESTINATIONS.join(", ")}`,
  );
  const placed = [];
  const errors = {};
  let next = 0;
  const from = Date.now();
  const placer = async () => {
    while (!harness.isFinishing()) {
      const i = next++;
      if (i >= spec.calls) return;
      if (spec.gapMs && i >= spec.concurrency) await harness.sleep(spec.gapMs);
      const to = DESTINATIONS[i % DESTINATIONS.length];
      const body = JSON.stringify({
        to,
        objective: "Book a table for 4 at 7 PM Friday.",
        webhookUrl: hookUrl,
      });
      try {
        const res = await http.send("POST", "/v1/agent/calls", auth, body);
        if (res.status === 202) placed.push({ callId: JSON.parse(res.text).callId, to });
        else errors[`http_${res.status}`] = (errors[`http_${res.status}`] ?? 0) + 1;
      } catch (e) {
        const kind = e instanceof Error && e.message === "timeout" ? "timeout" : "network";
        errors[kind] = (errors[kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, placer));
  const to = Date.now();
  const sec = (to - from) / 1000;
  harness.log(
    `${spec.name}: placed ${placed.length}/${spec.calls} in ${harness.round(sec, 1)} s ` +
      `(${harness.round(placed.length / sec, 1)}/s), errors ${JSON.stringify(errors)}`,
  );

  const ids = new Set(placed.map((p) => p.callId));
  const drainUntil = Math.min(to + DRAIN_MS, startedAt + HARD_DEADLINE_MS - REPORT_RESERVE_MS);
  const terminalSeen = () => {
    const seen = new Set();
    for (const d of receiver.deliveries) {
      if (TERMINAL_TYPES.has(d.json?.type) && ids.has(d.json?.callId)) seen.add(d.json.callId);
    }
    return seen.size;
  };
  let lastProgress = Date.now();
  while (!harness.isFinishing() && Date.now() < drainUntil && terminalSeen() < ids.size) {
    if (Date.now() - lastProgress > 5000) {
      harness.log(`${spec.name}: terminal events received for ${terminalSeen()}/${ids.size} calls`);
      lastProgress = Date.now();
    }
    await harness.sleep(50);
  }
  const drained = terminalSeen() >= ids.size;
  harness.log(
    drained
      ? `${spec.name}: every terminal event arrived ${harness.round((Date.now() - to) / 1000, 1)} s ` +
          `after the last placement; settling ${SETTLE_MS / 1000} s`
      : `${spec.name}: drain timeout, terminal events for ${terminalSeen()}/${ids.size} calls`,
  );
  await harness.sleep(SETTLE_MS);
  return { ...spec, placed, errors, from, to, drained };
}

// ---------------------------------------------------------------------------------------------
// Analysis

const LATENCY_NOTE =
  "Per call, the first delivery of its terminal event: arrival at the receiver minus a service " +
  "timestamp (same machine, same clock). eventToArrival: the event's `timestamp` (ms; stamped " +
  "when the terminal record is written after the post-call work, i.e. when the terminal status " +
  "becomes visible in the API). endedAtToArrival: data.call.endedAt (ms; the carrier-side end, " +
  "so it also covers the post-call work). queueWait: the first attempt's `at` in the event log " +
  "minus `timestamp` (D1 write, queue send, local queue batching, consumer start). " +
  "attemptToArrival: arrival minus that `at` (D1 read, signing, POST). headerToArrival: " +
  "webhook-timestamp (attempt start, whole seconds only: coarse).";

function analyse({ phases, deliveries, logs, readErrors, secret }) {
  const placedIds = new Set(phases.flatMap((p) => p.placed.map((c) => c.callId)));
  const hooks = deliveries.filter((d) => d.method === "POST" && d.path === HOOK_PATH);
  const stray = deliveries.length - hooks.length;

  // Deliveries by webhook-id: several deliveries of one id are duplicates (at-least-once).
  const byId = new Map();
  for (const d of hooks) {
    const id = d.headers["webhook-id"] || "(none)";
    const list = byId.get(id);
    if (list) list.push(d);
    else byId.set(id, [d]);
  }
  const duplicated = [...byId.entries()].filter(([, list]) => list.length > 1);
  const idMismatch = hooks.filter((d) => d.json && d.json.id !== d.headers["webhook-id"]).length;
  const unparsable = hooks.filter((d) => !d.json).length;

  // Per call: the distinct terminal events received.
  const terminalByCall = new Map();
  for (const [id, list] of byId) {
    const body = list[0]?.json;
    if (!body || !TERMINAL_TYPES.has(body.type)) continue;
    const firstArrival = Math.min(...list.map((d) => d.at));
    const entry = { id, body, firstArrival, delivery: list.find((d) => d.at === firstArrival) };
    const calls = terminalByCall.get(body.callId);
    if (calls) calls.push(entry);
    else terminalByCall.set(body.callId, [entry]);
  }
  const noTerminal = [...placedIds].filter((id) => !terminalByCall.has(id));
  const manyTerminal = [...terminalByCall.entries()]
    .filter(([callId, list]) => placedIds.has(callId) && list.length > 1)
    .map(([callId, list]) => ({ callId, eventIds: list.map((e) => e.id) }));
  const foreignCalls = [...terminalByCall.keys()].filter((id) => !placedIds.has(id));

  // The service's own event log: every event it recorded must have reached the receiver.
  const loggedIds = new Set();
  const missing = [];
  const notDelivered = [];
  const retried = [];
  const attemptStart = new Map();
  const callNotTerminal = [];
  for (const [callId, { call, events }] of logs) {
    if (!TERMINAL_TYPES.has(`call.${call.status}`))
      callNotTerminal.push(`${callId}: ${call.status}`);
    for (const e of events) {
      loggedIds.add(e.id);
      if (!byId.has(e.id)) missing.push({ callId, eventId: e.id, type: e.type, status: e.status });
      if (e.status !== "delivered") notDelivered.push({ callId, eventId: e.id, status: e.status });
      if (e.attempts.length > 1) {
        retried.push({
          callId,
          eventId: e.id,
          attempts: e.attempts.map((a) => a.error ?? a.statusCode),
        });
      }
      const firstAttempt = [...e.attempts].sort((a, b) => a.attempt - b.attempt)[0];
      if (firstAttempt) attemptStart.set(e.id, Date.parse(firstAttempt.at));
    }
  }
  const unlogged = [...byId.keys()].filter((id) => !loggedIds.has(id));

  // Signatures: every delivery, with the account's secret from the admin API; plus one tampered
  // body that must fail, so a verifier that accepts anything would show.
  const wh = new Webhook(secret);
  let verified = 0;
  const badSignatures = [];
  for (const d of hooks) {
    try {
      wh.verify(d.raw, d.headers);
      verified++;
    } catch (e) {
      badSignatures.push({ webhookId: d.headers["webhook-id"], error: String(e) });
    }
  }
  let tamperedRejected = null;
  const sample = hooks[0];
  if (sample) {
    try {
      wh.verify(`${sample.raw} `, sample.headers);
      tamperedRejected = false;
    } catch {
      tamperedRejected = true;
    }
  }

  const phaseReports = {};
  for (const phase of phases) {
    phaseReports[phase.name] = analysePhase(phase, byId, terminalByCall, attemptStart);
  }

  const checks = {
    allCallsPlaced: phases.every((p) => p.placed.length === p.calls),
    drained: phases.every((p) => p.drained),
    callsWithoutTerminalEvent: noTerminal.length,
    callsWithSeveralTerminalEvents: manyTerminal.length,
    callsNotTerminalInApi: callNotTerminal.length,
    loggedEventsNeverReceived: missing.length,
    loggedEventsNotDelivered: notDelivered.length,
    receivedEventsNotInLog: unlogged.length,
    eventsRetried: retried.length,
    deliveries: hooks.length,
    distinctEvents: byId.size,
    duplicateDeliveries: hooks.length - byId.size,
    webhookIdDiffersFromBodyId: idMismatch,
    unparsableBodies: unparsable,
    strayRequests: stray,
    signaturesVerified: verified,
    signaturesFailed: badSignatures.length,
    tamperedBodyRejected: tamperedRejected,
    readErrors: readErrors.length,
  };
  checks.ok =
    checks.allCallsPlaced &&
    checks.drained &&
    noTerminal.length === 0 &&
    manyTerminal.length === 0 &&
    callNotTerminal.length === 0 &&
    missing.length === 0 &&
    notDelivered.length === 0 &&
    unlogged.length === 0 &&
    badSignatures.length === 0 &&
    tamperedRejected === true &&
    idMismatch === 0 &&
    unparsable === 0 &&
    readErrors.length === 0;

  return {
    phases: phaseReports,
    checks,
    problems: {
      callsWithoutTerminalEvent: noTerminal.slice(0, 20),
      callsWithSeveralTerminalEvents: manyTerminal.slice(0, 20),
      callsNotTerminalInApi: callNotTerminal.slice(0, 20),
      loggedEventsNeverReceived: missing.slice(0, 20),
      loggedEventsNotDelivered: notDelivered.slice(0, 20),
      receivedEventsNotInLog: unlogged.slice(0, 20),
      terminalEventsOfUnknownCalls: foreignCalls.slice(0, 20),
      eventsRetried: retried.slice(0, 20),
      duplicated: duplicated.slice(0, 20).map(([id, list]) => ({
        webhookId: id,
        type: list[0]?.json?.type,
        callId: list[0]?.json?.callId,
        arrivalsMs: list.map((d) => Math.round(d.at - (list[0]?.at ?? 0))),
      })),
      badSignatures: badSignatures.slice(0, 20),
      readErrors: readErrors.slice(0, 20),
    },
  };
}

/** Throughput and latency of one phase's events (those of the calls it placed). */
function analysePhase(phase, byId, terminalByCall, attemptStart) {
  const ids = new Set(phase.placed.map((p) => p.callId));
  const events = [...byId.entries()].filter(([, list]) => ids.has(list[0]?.json?.callId));
  const arrivals = events.flatMap(([, list]) => list.map((d) => d.at)).sort((a, b) => a - b);
  const first = arrivals[0] ?? 0;
  const last = arrivals.at(-1) ?? 0;
  const windowSec = Math.max(0.001, (last - first) / 1000);
  let peak1s = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while ((arrivals[i] ?? 0) - (arrivals[j] ?? 0) >= 1000) j++;
    peak1s = Math.max(peak1s, i - j + 1);
  }
  // The backlog left when placing stopped, and how fast it drained with nothing else running.
  const afterPlacing = arrivals.filter((t) => t > phase.to);
  const drainRate =
    afterPlacing.length > 1 ? afterPlacing.length / Math.max(0.001, (last - phase.to) / 1000) : 0;
  const byType = {};
  for (const [, list] of events) {
    const t = list[0]?.json?.type ?? "(unparsable)";
    byType[t] = (byType[t] ?? 0) + 1;
  }

  const fromEvent = [];
  const fromEnded = [];
  const queueWait = [];
  const attemptToArrival = [];
  const fromHeader = [];
  for (const callId of ids) {
    const entry = terminalByCall.get(callId)?.[0];
    if (!entry) continue;
    const { body, firstArrival, delivery } = entry;
    const eventAt = Date.parse(body.timestamp);
    const endedAt = Date.parse(body.data?.call?.endedAt ?? "");
    if (Number.isFinite(eventAt)) fromEvent.push(firstArrival - eventAt);
    if (Number.isFinite(endedAt)) fromEnded.push(firstArrival - endedAt);
    const started = attemptStart.get(entry.id);
    if (started !== undefined && Number.isFinite(eventAt)) {
      queueWait.push(started - eventAt);
      attemptToArrival.push(firstArrival - started);
    }
    const headerTs = Number(delivery?.headers["webhook-timestamp"]);
    if (Number.isFinite(headerTs)) fromHeader.push(firstArrival - headerTs * 1000);
  }
  const allFromEvent = [];
  for (const [, list] of events) {
    const eventAt = Date.parse(list[0]?.json?.timestamp ?? "");
    if (Number.isFinite(eventAt)) allFromEvent.push(Math.min(...list.map((d) => d.at)) - eventAt);
  }

  // Per second since the phase's first placement: events created (their `timestamp`), first
  // attempts started (event log) and deliveries arrived; the local queue's batching shows here.
  const timeline = { created: [], attemptsStarted: [], delivered: [] };
  const bump = (series, t) => {
    const i = Math.max(0, Math.floor((t - phase.from) / 1000));
    while (series.length <= i) series.push(0);
    series[i] = (series[i] ?? 0) + 1;
  };
  for (const [id, list] of events) {
    const eventAt = Date.parse(list[0]?.json?.timestamp ?? "");
    if (Number.isFinite(eventAt)) bump(timeline.created, eventAt);
    const started = attemptStart.get(id);
    if (started !== undefined) bump(timeline.attemptsStarted, started);
  }
  for (const t of arrivals) bump(timeline.delivered, t);

  const placeSec = Math.max(0.001, (phase.to - phase.from) / 1000);
  return {
    placement: {
      calls: phase.calls,
      placed: phase.placed.length,
      errors: phase.errors,
      concurrency: phase.concurrency,
      gapMs: phase.gapMs,
      seconds: harness.round(placeSec, 2),
      perSec: harness.round(phase.placed.length / placeSec, 1),
      drained: phase.drained,
    },
    throughput: {
      deliveries: arrivals.length,
      distinctEvents: events.length,
      byType,
      busyWindowSec: harness.round(windowSec, 2),
      deliveriesPerSec: harness.round(arrivals.length / windowSec, 1),
      peakDeliveriesIn1s: peak1s,
      backlogAtLastPlacement: afterPlacing.length,
      backlogDrainPerSec: harness.round(drainRate, 1),
      lastDeliveryAfterLastPlacementMs: arrivals.length ? Math.round(last - phase.to) : null,
      perSecondSinceFirstPlacement: timeline,
    },
    latencyMs: {
      eventToArrival: stats(fromEvent),
      endedAtToArrival: stats(fromEnded),
      queueWait: stats(queueWait),
      attemptToArrival: stats(attemptToArrival),
      headerToArrival: stats(fromHeader),
      allEventsEventToArrival: stats(allFromEvent),
    },
  };
}

function stats(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: harness.round(sorted[0] ?? 0, 1),
    p50: harness.round(harness.quantile(sorted, 0.5), 1),
    p95: harness.round(harness.quantile(sorted, 0.95), 1),
    p99: harness.round(harness.quantile(sorted, 0.99), 1),
    max: harness.round(sorted.at(-1) ?? 0, 1),
  };
}

/** The webhooks consumer's batching, as wrangler.toml sets it (local Queues honour it). */
function queueSettings() {
  try {
    const toml = readFileSync(join(harness.ROOT, "wrangler.toml"), "utf8");
    const block = toml.split("[[queues.consumers]]")[1] ?? "";
    const num = (k) =>
      Number(new RegExp(`^${k}\\s*=\\s*(\\d+)`, "m").exec(block)?.[1] ?? Number.NaN);
    return { maxBatchSize: num("max_batch_size"), maxBatchTimeoutSec: num("max_batch_timeout") };
  } catch {
    return { maxBatchSize: null, maxBatchTimeoutSec: null };
  }
}

function reportTable(s) {
  const m = s.machine;
  const c = s.checks;
  const q = s.settings.queue;
  const b = s.phases.burst;
  const t = s.phases.trickle;
  const both = (label, f) => [label, String(f(b)), String(f(t))];
  const row = (name, st) => [name, st.n, st.p50, st.p95, st.p99, st.max].map((v) => String(v));
  const lines = [
    `Run: ${s.date.slice(0, 16).replace("T", " ")} UTC — ${m.nproc} CPUs (${m.cpu}), ` +
      `${m.memGiB} GiB, Node ${m.node}, ${m.platform}, load average ${m.loadavg1Before} before ` +
      `the run; code ${s.code}; ${s.server}.`,
    `Burst: ${s.settings.burstCalls} calls, ${s.settings.burstConcurrency} placements in flight; ` +
      `trickle: ${s.settings.trickleCalls} calls, one every ${s.settings.trickleGapMs} ms; to ` +
      `${s.settings.destinations.join(", ")} in turn; SIMULATOR_PACE_MS ` +
      `${s.settings.simulatorPaceMs}; queue max_batch_size ${q.maxBatchSize}, ` +
      `max_batch_timeout ${q.maxBatchTimeoutSec} s.`,
    "",
    ...harness.markdownTable(
      ["", "burst", "trickle"],
      ["left", "right", "right"],
      [
        both("calls placed / per s", (p) => `${p.placement.placed} / ${p.placement.perSec}`),
        both(
          "deliveries (distinct webhook-ids)",
          (p) => `${p.throughput.deliveries} (${p.throughput.distinctEvents})`,
        ),
        both("busy window, first → last delivery", (p) => `${p.throughput.busyWindowSec} s`),
        both("deliveries/s over the busy window", (p) => p.throughput.deliveriesPerSec),
        both("peak deliveries in 1 s", (p) => p.throughput.peakDeliveriesIn1s),
        both("backlog when placing stopped", (p) => p.throughput.backlogAtLastPlacement),
        both("backlog drain, deliveries/s", (p) => p.throughput.backlogDrainPerSec),
      ],
    ),
    "",
    ...harness.markdownTable(
      ["terminal event → first delivery, ms", "n", "p50", "p95", "p99", "max"],
      ["left", "right", "right", "right", "right", "right"],
      [
        row("burst: event `timestamp` → arrival", b.latencyMs.eventToArrival),
        row("burst: `data.call.endedAt` → arrival", b.latencyMs.endedAtToArrival),
        row("burst: queue wait, `timestamp` → attempt `at`", b.latencyMs.queueWait),
        row("burst: attempt `at` → arrival", b.latencyMs.attemptToArrival),
        row("trickle: event `timestamp` → arrival", t.latencyMs.eventToArrival),
        row("trickle: `data.call.endedAt` → arrival", t.latencyMs.endedAtToArrival),
        row("trickle: queue wait, `timestamp` → attempt `at`", t.latencyMs.queueWait),
        row("trickle: attempt `at` → arrival", t.latencyMs.attemptToArrival),
      ],
    ),
    "",
    `Checks: ${c.ok ? "PASS" : "FAIL"} — calls without a terminal event ` +
      `${c.callsWithoutTerminalEvent}, with several ${c.callsWithSeveralTerminalEvents}; logged ` +
      `events never received ${c.loggedEventsNeverReceived}, not delivered ` +
      `${c.loggedEventsNotDelivered}; retried ${c.eventsRetried}; duplicate deliveries ` +
      `${c.duplicateDeliveries}; signatures verified ${c.signaturesVerified}/` +
      `${c.signaturesVerified + c.signaturesFailed} (tampered body ` +
      `${c.tamperedBodyRejected ? "rejected" : "NOT rejected"}).`,
    ...(s.sourcesChangedDuringRun
      ? ["", "WARNING: files under src/ changed during the run (wrangler dev reloaded the Worker)."]
      : []),
  ];
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Receiver

// ---------------------------------------------------------------------------------------------
// Server

function startServer(port, adminToken) {
  return harness.startWrangler({
    port,
    dirs: DIRS,
    // Per-request log lines cost the server time; BENCH_LOG_LEVEL=info shows each queue batch.
    logLevel: LOG_LEVEL,
    vars: [
      `ADMIN_TOKEN:${adminToken}`,
      "ENVIRONMENT:development",
      "VOICE_PROVIDER:simulator",
      "TELEPHONY_PROVIDER:simulator",
      // The receiver is http://127.0.0.1: only local development may send there.
      "ALLOW_LOCAL_WEBHOOKS:true",
      // The simulated carrier calls this server back, so it must know its own origin.
      `PUBLIC_BASE_URL:http://${harness.HOST}:${port}`,
      `SIMULATOR_PACE_MS:${SIMULATOR_PACE_MS}`,
    ],
  });
}

// ---------------------------------------------------------------------------------------------
