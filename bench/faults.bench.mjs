#!/usr/bin/env node
/**
 * `npm run bench:faults`: crash recovery of the call engine (issue 12). Kills the local runtime
 * (the whole `wrangler dev` / workerd process group, SIGKILL) while calls are live, restarts it on
 * the same persisted state, and checks what the calls became.
 *
 * Starts a Standard Webhooks receiver on 127.0.0.1 and its own `wrangler dev` (fresh state dir,
 * `--persist-to`, so local D1, Durable Objects, their alarms and R2 survive the restart; local
 * Queues keep their messages in memory and do not), with small watchdog limits (MAX_CALL_SEC,
 * POST_CALL_BOUND_MS) and a slow simulated carrier so that calls last several seconds. Creates an
 * account and a key through the admin API. Then BENCH_ROUNDS rounds of:
 *   place BENCH_TALKERS calls that answer and talk and BENCH_SILENT that answer and stay silent
 *   (+14155550105), all with a webhookUrl → wait until they are in_progress → wait the round's
 *   BENCH_KILL_AFTER_MS more (media flows) → SIGKILL the process group → restart on the same
 *   state → poll every call until each call live at the kill is terminal, or the recovery bound
 *   passes.
 * After the last round it waits for the hard bound (the max-length watchdog) so that stuck calls
 * can still end, then reads every call, its event log and its recording, and checks:
 *   - recovery: every call live at a kill is terminal within the recovery bound after the restart
 *     (media-lost grace + post-call bound + slack); and every call is terminal by the end;
 *   - webhooks: every call's events (dialing, in_progress if answered, exactly one terminal)
 *     reached the receiver with a valid signature, and every event in its log is delivered;
 *   - billing: a call whose media died at the kill is billed (durationSec) no more than the media
 *     that flowed (kill time − startedAt, measured here) + BENCH_BILLING_SLACK_SEC;
 *   - kept (reported, not checked): transcripts, recordings (and their length), recordingTruncated.
 * Prints a JSON summary and Markdown tables, rewrites the results block in bench/README.md
 * (BENCH_NO_README=1 leaves it alone), exits 1 when a check fails. Hard deadline: 290 s.
 *
 * Knobs (env): BENCH_ROUNDS (3), BENCH_TALKERS (12), BENCH_SILENT (3), BENCH_PORT (8792),
 * BENCH_SIMULATOR_PACE_MS (2000), BENCH_MAX_CALL_SEC (60), BENCH_POST_CALL_BOUND_MS (10000),
 * BENCH_KILL_AFTER_MS (0,1500,2500: one per round, repeating), BENCH_RECOVERY_SLACK_MS (5000), BENCH_BILLING_SLACK_SEC (2),
 * BENCH_DEADLINE_SECONDS (290), BENCH_FAULTS_STATE_DIR, BENCH_LOG_LEVEL (warn), BENCH_NO_README.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import * as harness from "./lib/harness.mjs";
import { startReceiver } from "./lib/webhook-receiver.mjs";

// The logs go under .wrangler/ (ignored by git, and not a directory another bench deletes); the
// local D1, Durable Object, queue and R2 files on tmpfs where there is one.
const DIRS = harness.benchDirs(
  join(".wrangler", "bench-faults"),
  "BENCH_FAULTS_STATE_DIR",
  "byourside-bench-faults",
);
const README = join(harness.ROOT, "bench", "README.md");
const HOOK_PATH = "/hook";

const ROUNDS = harness.envInt("BENCH_ROUNDS", 3);
const TALKERS = harness.envInt("BENCH_TALKERS", 12, { min: 0 });
const SILENT = harness.envInt("BENCH_SILENT", 3, { min: 0 });
const PREFERRED_PORT = harness.envInt("BENCH_PORT", 8792);
/**
 * One beat of the simulated carrier: ring at beat 2, answer at beat 3; the agent's audio plays at
 * pace/1000 of real time, so at 2000 ms a talking call lasts about 7 s after the answer.
 */
const SIMULATOR_PACE_MS = harness.envInt("BENCH_SIMULATOR_PACE_MS", 2000);
/**
 * The max-length watchdog: a call still in_progress this long after its answer is ended. It must
 * fall well after the recovery bound (kill ≈ answer + 2–5 s, restart 6–10 s, then the bound), or
 * a call that recovery never noticed would end "in time" through the length limit.
 */
const MAX_CALL_SEC = harness.envInt("BENCH_MAX_CALL_SEC", 60);
const POST_CALL_BOUND_MS = harness.envInt("BENCH_POST_CALL_BOUND_MS", 10_000);
/**
 * How long after the round's calls are all in_progress the kill comes, one value per round (the
 * list repeats): at once (their in_progress events may still sit in the local queue's 1 s batch
 * window), mid-greeting, and mid-conversation.
 */
const KILL_AFTER_MS = (process.env.BENCH_KILL_AFTER_MS || "0,1500,2500").split(",").map((v) => {
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < 0) {
    console.error(`[bench] BENCH_KILL_AFTER_MS must list non-negative integers, got ${v}`);
    process.exit(2);
  }
  return n;
});
const RECOVERY_SLACK_MS = harness.envInt("BENCH_RECOVERY_SLACK_MS", 5000, { min: 0 });
const BILLING_SLACK_SEC = harness.envInt("BENCH_BILLING_SLACK_SEC", 2, { min: 0 });
const HARD_DEADLINE_MS = harness.envInt("BENCH_DEADLINE_SECONDS", 290) * 1000;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || "warn";
/** The engine's media-lost grace (src/wiring.ts engineSettings: limits.endGraceMs). */
const MEDIA_LOST_GRACE_MS = 10_000;
/**
 * The recovery bound, from the moment the restarted server answers /health: the media-lost grace
 * (the engine learns the stream is gone and waits this long for the carrier's final callback),
 * then the post-call bound (recording, analysis), plus slack for alarms, D1 and the poll.
 */
const RECOVERY_BOUND_MS = MEDIA_LOST_GRACE_MS + POST_CALL_BOUND_MS + RECOVERY_SLACK_MS;
/**
 * The hard bound, after a call's answer: the max-length watchdog, then the post-call bound, plus
 * slack. Every accepted call must be terminal by then even if recovery noticed nothing.
 */
const HARD_BOUND_AFTER_ANSWER_MS = MAX_CALL_SEC * 1000 + POST_CALL_BOUND_MS + 15_000;
const IN_PROGRESS_WAIT_MS = 20 * SIMULATOR_PACE_MS;
/** Answer → kill → ready → recovery bound, with room to spare, must end before the max length. */
const BOUND_HIDDEN_BY_MAX_LENGTH = 5000 + 15_000 + RECOVERY_BOUND_MS >= MAX_CALL_SEC * 1000;
const POLL_MS = 500;
const REQUEST_TIMEOUT_MS = 8000;
/** Kept free at the end of the run for the reads and the report. */
const REPORT_RESERVE_MS = 25_000;
/** After the last terminal event, wait this long for late deliveries before counting. */
const SETTLE_MS = 3000;
/** The sweeper's cron, fired once a minute as when deployed (wrangler dev does not fire it). */
const CRON_EVERY_MS = harness.envInt("BENCH_CRON_EVERY_MS", 15_000);
/**
 * The local queue keeps its messages in memory, so a kill loses those not yet delivered; the
 * sweeper re-sends events still pending this long after they were due (300 s by default, shorter
 * here so that a run can see it happen).
 */
const WEBHOOK_STALLED_AFTER_SEC = harness.envInt("BENCH_WEBHOOK_STALLED_AFTER_SEC", 20);
const SILENT_NUMBER = "+14155550105";
const TERMINAL = new Set(["completed", "no_answer", "voicemail", "declined", "failed"]);
const TERMINAL_TYPES = new Set([...TERMINAL].map((s) => `call.${s}`));

const startedAt = Date.now();
harness.runBench(main, HARD_DEADLINE_MS);

async function main() {
  const loadBefore = harness.round(loadavg()[0] ?? 0, 2);
  if (BOUND_HIDDEN_BY_MAX_LENGTH)
    harness.log(
      `WARNING: MAX_CALL_SEC ${MAX_CALL_SEC} is too close to the recovery bound ` +
        `(${RECOVERY_BOUND_MS / 1000} s after the restart): a stuck call may end in time anyway`,
    );
  const hardEnd = startedAt + HARD_DEADLINE_MS - REPORT_RESERVE_MS;
  harness.resetDirs(DIRS);
  const sourcesBefore = harness.sourceStamp();
  const receiver = await startReceiver();
  const hookUrl = `http://${harness.HOST}:${receiver.port}${HOOK_PATH}`;
  harness.log(`receiver on ${hookUrl}`);

  const port = await harness.pickPort(PREFERRED_PORT);
  const base = `http://${harness.HOST}:${port}`;
  const adminToken = randomBytes(24).toString("hex");
  await harness.applyMigrations(DIRS.state);

  const starts = [];
  const server = { pgid: 0, http: undefined };
  const start = async (n) => {
    const t0 = Date.now();
    const { pgid } = await startServer(port, adminToken, n);
    server.pgid = pgid;
    server.http?.destroy();
    server.http = harness.httpClient(base, { maxSockets: 6, timeoutMs: REQUEST_TIMEOUT_MS });
    const readyAt = Date.now();
    starts.push({ n, startMs: readyAt - t0, readyAt });
    return readyAt;
  };
  await start(0);
  const cron = startCron(base);

  const { admin, account, key } = await harness.setUpCallingAccount(
    server.http,
    adminToken,
    10_000,
  );
  const detail = await harness.expectJson(admin("GET", `/admin/accounts/${account.id}`), 200);
  const secret = detail.webhookSecret;
  if (typeof secret !== "string" || !secret.startsWith("whsec_"))
    throw new Error("GET /admin/accounts/{id} carries no whsec_ webhookSecret");
  const auth = { authorization: `Bearer ${key.key}` };
  const send = (method, path) => server.http.send(method, path, auth);
  harness.log(`account ${account.id}, key ${key.id}`);

  /** callId → what the bench knows of the call. */
  const calls = new Map();
  const placementErrors = {};
  const rounds = [];

  for (let r = 1; r <= ROUNDS; r++) {
    if (harness.isFinishing()) return 1;
    // A round needs about 10 beats, the restart and the recovery bound; stop before the reserve.
    const need = 10 * SIMULATOR_PACE_MS + 20_000 + RECOVERY_BOUND_MS;
    if (Date.now() + need > hardEnd) {
      harness.log(`round ${r}: not enough time left before the deadline; stopping at ${r - 1}`);
      break;
    }
    const round = { round: r };
    rounds.push(round);

    // ---- place
    const specs = [
      ...Array.from({ length: TALKERS }, (_, i) => ({
        kind: "talker",
        to: `+141555501${String(20 + ((r * TALKERS + i) % 80)).padStart(2, "0")}`,
      })),
      ...Array.from({ length: SILENT }, () => ({ kind: "silent", to: SILENT_NUMBER })),
    ];
    round.placedFrom = Date.now();
    const ids = [];
    await pool(specs, 4, async (spec) => {
      const body = {
        to: spec.to,
        objective: "Book a table for 4 at 7 PM Friday.",
        webhookUrl: hookUrl,
      };
      try {
        const res = await server.http.send("POST", "/v1/agent/calls", auth, body);
        if (res.status !== 202) {
          placementErrors[`http_${res.status}`] = (placementErrors[`http_${res.status}`] ?? 0) + 1;
          return;
        }
        const callId = JSON.parse(res.text).callId;
        ids.push(callId);
        calls.set(callId, {
          callId,
          round: r,
          kind: spec.kind,
          to: spec.to,
          placedAt: Date.now(),
          seen: {},
          last: undefined,
          liveAtKill: [],
        });
      } catch (e) {
        const kind = e instanceof Error && e.message === "timeout" ? "timeout" : "network";
        placementErrors[kind] = (placementErrors[kind] ?? 0) + 1;
      }
    });
    round.placed = ids.length;
    harness.log(`round ${r}: placed ${ids.length}/${specs.length} calls`);

    // ---- wait until every call of the round is in_progress (or already over)
    const waitUntil = Math.min(Date.now() + IN_PROGRESS_WAIT_MS, hardEnd);
    while (!harness.isFinishing() && Date.now() < waitUntil) {
      await pollCalls(ids, calls, send);
      const pending = ids.filter((id) => {
        const s = calls.get(id)?.last?.status;
        return s !== "in_progress" && !TERMINAL.has(s);
      });
      if (pending.length === 0) break;
      await harness.sleep(POLL_MS);
    }
    round.inProgressAfterMs = Date.now() - round.placedFrom;
    round.killAfterMs = KILL_AFTER_MS[(r - 1) % KILL_AFTER_MS.length] ?? 0;
    await harness.sleep(round.killAfterMs);
    if (harness.isFinishing()) return 1;

    // ---- the crash: what was live just before, then SIGKILL to the whole group
    const open = [...calls.values()].filter((c) => !TERMINAL.has(c.last?.status));
    await pollCalls(
      open.map((c) => c.callId),
      calls,
      send,
    );
    const killAt = Date.now();
    const live = [...calls.values()].filter((c) => !TERMINAL.has(c.last?.status));
    const gone = await harness.killGroup(server.pgid);
    server.http.destroy();
    round.killAt = killAt;
    round.liveAtKill = live.length;
    round.liveByStatus = countBy(live, (c) => c.last?.status ?? "unknown");
    for (const c of live) c.liveAtKill.push({ round: r, status: c.last?.status, killAt });
    harness.log(
      `round ${r}: SIGKILL at +${secs(killAt - startedAt)} s with ${live.length} calls live ` +
        `(${JSON.stringify(round.liveByStatus)})${gone ? "" : "; the group did not go away"}`,
    );
    if (!gone) throw new Error("the killed process group is still alive after 10 s");
    const portFreeBy = Date.now() + 15_000;
    while (!(await harness.portIsFree(port))) {
      if (Date.now() > portFreeBy) throw new Error(`port ${port} stayed busy after the kill`);
      await harness.sleep(200);
    }

    // ---- restart on the same state, then wait for the calls live at the kill to end
    const readyAt = await start(r);
    round.readyAt = readyAt;
    round.downtimeMs = readyAt - killAt;
    round.boundAt = readyAt + RECOVERY_BOUND_MS;
    harness.log(`round ${r}: restarted, ready ${secs(round.downtimeMs)} s after the kill`);
    const liveIds = live.map((c) => c.callId);
    while (!harness.isFinishing() && Date.now() < Math.min(round.boundAt, hardEnd)) {
      const open2 = [...calls.values()].filter((c) => !TERMINAL.has(c.last?.status));
      await pollCalls(
        open2.map((c) => c.callId),
        calls,
        send,
      );
      if (liveIds.every((id) => TERMINAL.has(calls.get(id)?.last?.status))) break;
      await harness.sleep(POLL_MS);
    }
    // Calls already live at an earlier kill were judged then.
    const firstHere = live.filter((c) => c.liveAtKill[0]?.round === r);
    round.liveFromThisRound = firstHere.length;
    const inTime = firstHere.filter(
      (c) => c.terminalSeenAt !== undefined && c.terminalSeenAt <= round.boundAt,
    ).length;
    harness.log(
      `round ${r}: ${inTime}/${firstHere.length} of the calls first hit by this kill were ` +
        `terminal within the recovery bound (${secs(RECOVERY_BOUND_MS)} s after ready)`,
    );
  }
  if (harness.isFinishing()) return 1;

  // ---- the hard bound: every call ends by its answer + max length + post-call bound + slack
  const lastAnswer = Math.max(
    0,
    ...[...calls.values()].map((c) => Date.parse(c.last?.startedAt ?? "") || c.placedAt),
  );
  const hardBoundAt = lastAnswer + HARD_BOUND_AFTER_ANSWER_MS;
  const finalUntil = Math.min(hardBoundAt, hardEnd);
  harness.log(
    `waiting for every call to be terminal and its terminal event delivered (up to ` +
      `+${secs(finalUntil - startedAt)} s; hard bound +${secs(hardBoundAt - startedAt)} s)`,
  );
  let lastLog = Date.now();
  while (!harness.isFinishing() && Date.now() < finalUntil) {
    const open3 = [...calls.values()].filter((c) => !TERMINAL.has(c.last?.status));
    await pollCalls(
      open3.map((c) => c.callId),
      calls,
      send,
    );
    const delivered = deliveredTypes(receiver.deliveries);
    const waiting = [...calls.values()].filter((c) => {
      const types = delivered.get(c.callId) ?? new Set();
      const expected = ["call.dialing", `call.${c.last?.status}`];
      if (c.last?.startedAt) expected.push("call.in_progress");
      return !TERMINAL.has(c.last?.status) || !expected.every((t) => types.has(t));
    });
    if (waiting.length === 0) break;
    if (Date.now() - lastLog > 10_000) {
      harness.log(
        `${open3.length} calls not terminal, ${waiting.length} without a terminal event yet`,
      );
      lastLog = Date.now();
    }
    await harness.sleep(POLL_MS * 2);
  }
  const finalWaitEndedAt = Date.now();
  await harness.sleep(SETTLE_MS);
  cron.stop();
  if (harness.isFinishing()) return 1;

  // ---- read every call, its event log and its recording
  harness.log(`reading ${calls.size} calls, their event logs and recordings`);
  const readErrors = [];
  await pool([...calls.values()], 4, async (c) => {
    try {
      const call = await send("GET", `/v1/agent/calls/${c.callId}`);
      const events = await send("GET", `/v1/agent/calls/${c.callId}/events`);
      if (call.status !== 200 || events.status !== 200) {
        readErrors.push(`${c.callId}: ${call.status}/${events.status}`);
        return;
      }
      c.final = JSON.parse(call.text);
      c.events = JSON.parse(events.text).events;
      if (c.final.recordingUrl) {
        const rec = await fetch(`${base}/v1/agent/calls/${c.callId}/recording`, {
          headers: auth,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const bytes = (await rec.arrayBuffer()).byteLength;
        c.recording = { status: rec.status, bytes };
      }
    } catch (e) {
      readErrors.push(`${c.callId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  server.http.destroy();
  receiver.server.close();
  receiver.server.closeAllConnections();

  const sourcesChanged = harness.sourceStamp() !== sourcesBefore;
  if (sourcesChanged) harness.log("WARNING: files under src/ changed during the run");
  const analysis = analyse({
    calls: [...calls.values()],
    rounds,
    deliveries: receiver.deliveries.slice(),
    secret,
    hardBoundAt,
    finalWaitEndedAt,
    readErrors,
    placementErrors,
  });
  const summary = {
    date: new Date().toISOString(),
    machine: { ...harness.machine(), loadavg1Before: loadBefore },
    code: harness.codeVersion(),
    server:
      `wrangler dev ${harness.version("wrangler")} ` +
      "(local D1, Durable Objects, Queues and R2 persisted with --persist-to; simulator providers)",
    sourcesChangedDuringRun: sourcesChanged,
    runSeconds: harness.round((Date.now() - startedAt) / 1000, 1),
    settings: {
      rounds: ROUNDS,
      talkersPerRound: TALKERS,
      silentPerRound: SILENT,
      simulatorPaceMs: SIMULATOR_PACE_MS,
      maxCallSec: MAX_CALL_SEC,
      postCallBoundMs: POST_CALL_BOUND_MS,
      mediaLostGraceMs: MEDIA_LOST_GRACE_MS,
      killAfterInProgressMs: KILL_AFTER_MS,
      recoveryBoundMs: RECOVERY_BOUND_MS,
      hardBoundAfterAnswerMs: HARD_BOUND_AFTER_ANSWER_MS,
      billingSlackSec: BILLING_SLACK_SEC,
      boundHiddenByMaxLength: BOUND_HIDDEN_BY_MAX_LENGTH,
      cronEveryMs: CRON_EVERY_MS,
    },
    starts: starts.map((s) => ({ n: s.n, startMs: s.startMs })),
    cron: cron.stats,
    ...analysis,
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log();
  const report = reportText(summary);
  console.log(report);
  if (process.env.BENCH_NO_README !== "1") {
    writeReadme(report);
    harness.log("results written to bench/README.md");
  }
  return summary.checks.ok ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Polling

/** Reads `ids` (4 at a time), records each status the first time it is seen. */
async function pollCalls(ids, calls, send) {
  await pool(ids, 4, async (id) => {
    const c = calls.get(id);
    if (!c) return;
    try {
      const res = await send("GET", `/v1/agent/calls/${id}`);
      if (res.status !== 200) return;
      const rec = JSON.parse(res.text);
      const now = Date.now();
      c.last = rec;
      if (c.seen[rec.status] === undefined) c.seen[rec.status] = now;
      if (TERMINAL.has(rec.status) && c.terminalSeenAt === undefined) c.terminalSeenAt = now;
    } catch {
      // the server is restarting or busy: the next poll tries again
    }
  });
}

async function pool(items, width, fn) {
  let next = 0;
  const worker = async () => {
    while (!harness.isFinishing()) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

function startCron(base) {
  const stats = { fired: 0, failed: 0 };
  const url = `${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("* * * * *")}`;
  const timer = setInterval(async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
      await res.arrayBuffer();
      if (res.ok) stats.fired++;
      else stats.failed++;
    } catch {
      stats.failed++;
    }
  }, CRON_EVERY_MS);
  timer.unref();
  return { stats, stop: () => clearInterval(timer) };
}

/** Per call, the event types the receiver got. */
function deliveredTypes(deliveries) {
  const seen = new Map();
  for (const d of deliveries) {
    const { callId, type } = d.json ?? {};
    if (!callId || !type) continue;
    if (!seen.has(callId)) seen.set(callId, new Set());
    seen.get(callId).add(type);
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// Analysis

function analyse({
  calls,
  rounds,
  deliveries,
  secret,
  hardBoundAt,
  finalWaitEndedAt,
  readErrors,
  placementErrors,
}) {
  // ---- webhooks: verify every delivery, then distinct events per call
  const wh = new Webhook(secret);
  const hooks = deliveries.filter((d) => d.method === "POST" && d.path === HOOK_PATH);
  let verified = 0;
  const badSignatures = [];
  for (const d of hooks) {
    try {
      wh.verify(d.raw, d.headers);
      d.valid = true;
      verified++;
    } catch (e) {
      badSignatures.push({ webhookId: d.headers["webhook-id"], error: String(e) });
    }
  }
  let tamperedRejected = null;
  if (hooks[0]) {
    try {
      wh.verify(`${hooks[0].raw} `, hooks[0].headers);
      tamperedRejected = false;
    } catch {
      tamperedRejected = true;
    }
  }
  const eventsByCall = new Map();
  for (const d of hooks) {
    if (!d.valid || !d.json?.callId) continue;
    const m = eventsByCall.get(d.json.callId) ?? new Map();
    if (!m.has(d.headers["webhook-id"])) m.set(d.headers["webhook-id"], d.json);
    eventsByCall.set(d.json.callId, m);
  }

  const perCall = [];
  for (const c of calls) {
    const f = c.final ?? c.last ?? {};
    const received = [...(eventsByCall.get(c.callId)?.values() ?? [])];
    const types = countBy(received, (e) => e.type);
    const terminalEvents = received.filter((e) => TERMINAL_TYPES.has(e.type));
    const answered = Boolean(f.startedAt);
    const missing = [];
    if (!types["call.dialing"]) missing.push("call.dialing");
    if (answered && !types["call.in_progress"]) missing.push("call.in_progress");
    if (terminalEvents.length === 0) missing.push("terminal");
    const log = c.events ?? [];
    const receivedIds = new Set(received.map((e) => e.id));
    const logNotReceived = log.filter((e) => !receivedIds.has(e.id));
    const logByStatus = countBy(log, (e) => e.status);

    // The first kill the call was live at, and what it was billed for after it.
    const crash = c.liveAtKill[0];
    const started = Date.parse(f.startedAt ?? "");
    const ended = Date.parse(f.endedAt ?? "");
    const mediaDied =
      crash !== undefined && crash.status === "in_progress" && Number.isFinite(started);
    const mediaSec = mediaDied ? (crash.killAt - started) / 1000 : null;
    const round = rounds.find((r) => r.round === crash?.round);
    const terminalSeenAt = c.terminalSeenAt;
    perCall.push({
      callId: c.callId,
      round: c.round,
      kind: c.kind,
      status: f.status ?? null,
      error: f.error ?? null,
      liveAtKill: c.liveAtKill.map((k) => `${k.round}:${k.status}`),
      statusAtFirstKill: crash?.status ?? null,
      startedAt: f.startedAt ?? null,
      endedAt: f.endedAt ?? null,
      durationSec: f.durationSec ?? null,
      mediaSecBeforeKill: mediaSec === null ? null : harness.round(mediaSec, 2),
      overbilledSec:
        mediaSec !== null && typeof f.durationSec === "number"
          ? harness.round(Math.max(0, f.durationSec - mediaSec), 2)
          : null,
      endedAfterReadyMs: round && Number.isFinite(ended) ? Math.round(ended - round.readyAt) : null,
      terminalSeenAfterReadyMs:
        round && terminalSeenAt !== undefined ? Math.round(terminalSeenAt - round.readyAt) : null,
      terminalWithinRecoveryBound:
        crash === undefined
          ? null
          : terminalSeenAt !== undefined && round !== undefined && terminalSeenAt <= round.boundAt,
      terminalWithinHardBound: terminalSeenAt !== undefined && terminalSeenAt <= hardBoundAt,
      eventsReceived: types,
      missingEvents: missing,
      terminalEventsReceived: terminalEvents.length,
      terminalEventMatchesStatus:
        terminalEvents.length === 0 ? null : terminalEvents[0].type === `call.${f.status}`,
      eventLog: logByStatus,
      loggedNotReceived: logNotReceived.map((e) => `${e.type}:${e.status}`),
      transcriptLines: f.transcript ? f.transcript.split("\n").filter(Boolean).length : 0,
      recordingUrl: Boolean(f.recordingUrl),
      recordingStatus: c.recording?.status ?? null,
      recordedSec: c.recording?.status === 200 ? wavSeconds(c.recording.bytes) : null,
      recordingTruncated: f.recordingTruncated ?? null,
    });
  }

  const crashed = perCall.filter((p) => p.statusAtFirstKill !== null);
  const mediaDied = perCall.filter((p) => p.mediaSecBeforeKill !== null);
  const overbilled = mediaDied.filter(
    (p) =>
      typeof p.durationSec === "number" && p.durationSec > p.mediaSecBeforeKill + BILLING_SLACK_SEC,
  );
  const notTerminal = perCall.filter((p) => !TERMINAL.has(p.status));
  const lateRecovery = crashed.filter((p) => !p.terminalWithinRecoveryBound);
  const missingEvents = perCall.filter((p) => p.missingEvents.length > 0);
  const missingByType = {};
  for (const p of missingEvents)
    for (const t of p.missingEvents) missingByType[t] = (missingByType[t] ?? 0) + 1;
  const severalTerminal = perCall.filter((p) => p.terminalEventsReceived > 1);
  const wrongTerminal = perCall.filter((p) => p.terminalEventMatchesStatus === false);
  const logNotReceived = perCall.reduce((n, p) => n + p.loggedNotReceived.length, 0);
  const placed = calls.length;
  const wanted = rounds.length * (TALKERS + SILENT);

  const kept = (list) => ({
    calls: list.length,
    withTranscript: list.filter((p) => p.transcriptLines > 0).length,
    withRecordingUrl: list.filter((p) => p.recordingUrl).length,
    recordingReadable: list.filter((p) => p.recordingStatus === 200).length,
    recordedSecTotal: harness.round(
      list.reduce((n, p) => n + (p.recordedSec ?? 0), 0),
      1,
    ),
    mediaSecTotal: harness.round(
      list.reduce((n, p) => n + (p.mediaSecBeforeKill ?? 0), 0),
      1,
    ),
    recordingTruncated: list.some((p) => p.recordingTruncated !== null)
      ? list.filter((p) => p.recordingTruncated === true).length
      : "field absent",
  });

  const checks = {
    allPlaced: placed === wanted,
    recoveryWithinBound: { failed: lateRecovery.length, of: crashed.length },
    terminalByEnd: { failed: notTerminal.length, of: perCall.length },
    webhooks: {
      callsMissingEvents: missingEvents.length,
      missingByType,
      callsWithSeveralTerminalEvents: severalTerminal.length,
      terminalEventNotMatchingStatus: wrongTerminal.length,
      loggedEventsNotReceived: logNotReceived,
      eventLogStatus: perCall.reduce((acc, p) => {
        for (const [k, v] of Object.entries(p.eventLog)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
      // Missing events of calls that ended before any kill reached them (their event was in flight).
      callsMissingEventsNotCrashed: missingEvents.filter((p) => p.statusAtFirstKill === null)
        .length,
      signaturesVerified: verified,
      signaturesFailed: badSignatures.length,
      tamperedBodyRejected: tamperedRejected,
    },
    billing: {
      failed: overbilled.length,
      of: mediaDied.length,
      overbilledSecTotal: harness.round(
        overbilled.reduce((n, p) => n + (p.durationSec - p.mediaSecBeforeKill), 0),
        1,
      ),
      // Billed seconds without media: only those over the slack count as failures.
      maxOverbilledSec: Math.max(0, ...mediaDied.map((p) => p.overbilledSec ?? 0)),
    },
    readErrors: readErrors.length,
  };
  checks.webhooks.ok =
    missingEvents.length === 0 &&
    severalTerminal.length === 0 &&
    wrongTerminal.length === 0 &&
    logNotReceived === 0 &&
    badSignatures.length === 0 &&
    tamperedRejected === true;
  checks.ok =
    checks.allPlaced &&
    lateRecovery.length === 0 &&
    notTerminal.length === 0 &&
    checks.webhooks.ok &&
    overbilled.length === 0 &&
    readErrors.length === 0;

  const stats = (values) => {
    const sorted = values.filter((v) => typeof v === "number").sort((a, b) => a - b);
    return {
      n: sorted.length,
      p50: harness.round(harness.quantile(sorted, 0.5), 1),
      max: harness.round(sorted.at(-1) ?? 0, 1),
    };
  };

  return {
    rounds: rounds.map((r) => {
      const mine = crashed.filter((p) => p.liveAtKill[0]?.startsWith(`${r.round}:`));
      return {
        round: r.round,
        placed: r.placed,
        inProgressAfterMs: r.inProgressAfterMs,
        killAfterMs: r.killAfterMs,
        killAtSec: harness.round((r.killAt - startedAt) / 1000, 1),
        liveAtKill: r.liveAtKill,
        liveFromThisRound: r.liveFromThisRound,
        liveByStatus: r.liveByStatus,
        downtimeMs: r.downtimeMs,
        terminalWithinBound: mine.filter((p) => p.terminalWithinRecoveryBound).length,
        crashedHere: mine.length,
        outcomes: countBy(mine, (p) => `${p.status}${p.error ? `/${p.error}` : ""}`),
        terminalSeenAfterReadySec: stats(
          mine.map((p) =>
            p.terminalSeenAfterReadyMs === null ? null : p.terminalSeenAfterReadyMs / 1000,
          ),
        ),
      };
    }),
    crashedCalls: {
      total: crashed.length,
      byStatusAtKill: countBy(crashed, (p) => p.statusAtFirstKill),
      outcomes: countBy(crashed, (p) => `${p.status}${p.error ? `/${p.error}` : ""}`),
      mediaSecBeforeKill: stats(mediaDied.map((p) => p.mediaSecBeforeKill)),
      durationSec: stats(mediaDied.map((p) => p.durationSec)),
      overbilledSec: stats(mediaDied.map((p) => p.overbilledSec)),
    },
    notCrashedOutcomes: countBy(
      perCall.filter((p) => p.statusAtFirstKill === null),
      (p) => `${p.status}${p.error ? `/${p.error}` : ""}`,
    ),
    kept: {
      mediaDiedAtKill: kept(mediaDied),
      talkers: kept(mediaDied.filter((p) => p.kind === "talker")),
      silent: kept(mediaDied.filter((p) => p.kind === "silent")),
    },
    finalWaitEndedAtSec: harness.round((finalWaitEndedAt - startedAt) / 1000, 1),
    hardBoundAtSec: harness.round((hardBoundAt - startedAt) / 1000, 1),
    placementErrors,
    checks,
    problems: {
      lateRecovery: lateRecovery.slice(0, 10),
      notTerminal: notTerminal.slice(0, 10),
      missingEvents: missingEvents.slice(0, 10),
      severalTerminal: severalTerminal.slice(0, 10),
      overbilled: overbilled.slice(0, 10),
      badSignatures: badSignatures.slice(0, 10),
      readErrors: readErrors.slice(0, 10),
    },
  };
}

/** Seconds of audio in a stereo 8 kHz PCM16 WAV of `bytes` bytes (44-byte header). */
function wavSeconds(bytes) {
  return harness.round(Math.max(0, bytes - 44) / (8000 * 2 * 2), 2);
}

function countBy(list, key) {
  const out = {};
  for (const x of list) {
    const k = String(key(x));
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function secs(ms) {
  return harness.round(ms / 1000, 1);
}

// ---------------------------------------------------------------------------------------------
// Report

function reportText(s) {
  const m = s.machine;
  const c = s.checks;
  const st = s.settings;
  const verdict = (ok) => (ok ? "pass" : "**FAIL**");
  const obj = (o) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "–";
  const k = s.kept.mediaDiedAtKill;
  const lines = [
    `Run: ${s.date.slice(0, 16).replace("T", " ")} UTC — ${m.nproc} CPUs (${m.cpu}), ` +
      `${m.memGiB} GiB, Node ${m.node}, ${m.platform}, load average ${m.loadavg1Before} before ` +
      `the run; code ${s.code}; ${s.server}; ${s.runSeconds} s in all.`,
    `${st.rounds} rounds of ${st.talkersPerRound} talking + ${st.silentPerRound} silent calls; ` +
      `SIMULATOR_PACE_MS ${st.simulatorPaceMs}, MAX_CALL_SEC ${st.maxCallSec}, ` +
      `POST_CALL_BOUND_MS ${st.postCallBoundMs}; SIGKILL ${st.killAfterInProgressMs.join(" / ")} ms ` +
      `after the round's calls were all in_progress; recovery bound ${st.recoveryBoundMs / 1000} s after ` +
      `the restarted server is ready; hard bound answer + ${st.hardBoundAfterAnswerMs / 1000} s; ` +
      `billing slack ${st.billingSlackSec} s; sweeper cron fired ${s.cron.fired}× ` +
      `(${s.cron.failed} failed).`,
    "",
    ...harness.markdownTable(
      [
        "round",
        "placed",
        "SIGKILL at (after in_progress)",
        "live at kill (first hit)",
        "down",
        "terminal ≤ bound",
        "after ready p50 / max",
        "outcomes of the calls live at the kill",
      ],
      ["right", "right", "right", "left", "right", "right", "right", "left"],
      s.rounds.map((r) => [
        String(r.round),
        String(r.placed),
        `+${r.killAtSec} s (${r.killAfterMs} ms)`,
        `${r.liveAtKill} (${r.liveFromThisRound}): ${obj(r.liveByStatus)}`,
        `${harness.round(r.downtimeMs / 1000, 1)} s`,
        `${r.terminalWithinBound}/${r.crashedHere}`,
        `${r.terminalSeenAfterReadySec.p50} / ${r.terminalSeenAfterReadySec.max} s`,
        obj(r.outcomes),
      ]),
    ),
    "",
    ...harness.markdownTable(
      ["check", "result", "numbers"],
      ["left", "left", "left"],
      [
        [
          "every call live at a kill is terminal within the recovery bound",
          verdict(c.recoveryWithinBound.failed === 0),
          `${c.recoveryWithinBound.of - c.recoveryWithinBound.failed}/${c.recoveryWithinBound.of} in time`,
        ],
        [
          "every accepted call is terminal by the end (hard bound)",
          verdict(c.terminalByEnd.failed === 0),
          `${c.terminalByEnd.of - c.terminalByEnd.failed}/${c.terminalByEnd.of} terminal`,
        ],
        [
          "every webhook event delivered, signed (dialing, in_progress, one terminal)",
          verdict(c.webhooks.ok),
          `calls missing events ${c.webhooks.callsMissingEvents} (${obj(c.webhooks.missingByType)}); ` +
            `of them ended before the kill ${c.webhooks.callsMissingEventsNotCrashed}; ` +
            `several terminal ${c.webhooks.callsWithSeveralTerminalEvents}; event log ` +
            `${obj(c.webhooks.eventLogStatus)}; signatures ${c.webhooks.signaturesVerified}/` +
            `${c.webhooks.signaturesVerified + c.webhooks.signaturesFailed}, tampered ` +
            `${c.webhooks.tamperedBodyRejected ? "rejected" : "NOT rejected"}`,
        ],
        [
          "no billing without media (durationSec ≤ media before the kill + slack)",
          verdict(c.billing.failed === 0),
          `${c.billing.failed}/${c.billing.of} over; ${c.billing.overbilledSecTotal} s over in all; ` +
            `media p50 ${s.crashedCalls.mediaSecBeforeKill.p50} s vs billed p50 ` +
            `${s.crashedCalls.durationSec.p50} s (max ${s.crashedCalls.durationSec.max})`,
        ],
        ["all calls placed, all reads answered", verdict(c.allPlaced && c.readErrors === 0), ""],
      ],
    ),
    "",
    `Kept, of the ${k.calls} calls whose media died at a kill (reported, not checked): ` +
      `transcript ${k.withTranscript}, recordingUrl ${k.withRecordingUrl} (readable ` +
      `${k.recordingReadable}, ${k.recordedSecTotal} s recorded of ${k.mediaSecTotal} s of media ` +
      `before the kills), recordingTruncated: ${k.recordingTruncated}.`,
    `Checks: ${c.ok ? "PASS" : "FAIL"}.`,
    ...(s.sourcesChangedDuringRun
      ? ["", "WARNING: files under src/ changed during the run (wrangler dev reloaded the Worker)."]
      : []),
  ];
  return lines.join("\n");
}

function writeReadme(report) {
  const start = "<!-- faults:start -->";
  const end = "<!-- faults:end -->";
  const block = `${start}\n${report}\n${end}`;
  const text = readFileSync(README, "utf8");
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n## Faults (\`npm run bench:faults\`)\n\n${block}\n`;
  writeFileSync(README, next);
}

// ---------------------------------------------------------------------------------------------
// Receiver and server

/** Start `n` (0 = first, then one per restart) of the bench's server, each with its own log. */
function startServer(port, adminToken, n) {
  return harness.startWrangler({
    port,
    dirs: { ...DIRS, serverLog: join(DIRS.dir, `wrangler-${n}.log`) },
    logLevel: LOG_LEVEL,
    vars: [
      `ADMIN_TOKEN:${adminToken}`,
      "ENVIRONMENT:development",
      "VOICE_PROVIDER:simulator",
      "TELEPHONY_PROVIDER:simulator",
      "ALLOW_LOCAL_WEBHOOKS:true",
      // The simulated carrier calls this server back; the port stays the same across restarts.
      `PUBLIC_BASE_URL:http://${harness.HOST}:${port}`,
      `SIMULATOR_PACE_MS:${SIMULATOR_PACE_MS}`,
      `MAX_CALL_SEC:${MAX_CALL_SEC}`,
      `POST_CALL_BOUND_MS:${POST_CALL_BOUND_MS}`,
      `WEBHOOK_STALLED_AFTER_SEC:${WEBHOOK_STALLED_AFTER_SEC}`,
    ],
  });
}
