/**
 * Who answered, and how soon: every answering-machine and screener row of the simulator (README
 * "Try it locally"), with both voicemail actions, through the local path (wrangler dev, the
 * simulated carrier with its real-time greetings and tones, the simulated model, our beep
 * detector). Prints per row the status, answeredBy with its source, answeredByMs and, when a
 * message was left, beepMs and spokenMs (all from the answer).
 *
 * `npm run bench:answered-by` — BENCH_ROUNDS (3) calls per row and action, BENCH_CONCURRENCY (2)
 * at a time. Stops by itself within 5 minutes.
 */
import { randomBytes } from "node:crypto";
import * as harness from "./lib/harness.mjs";

const ROUNDS = harness.envInt("BENCH_ROUNDS", 3);
const CONCURRENCY = harness.envInt("BENCH_CONCURRENCY", 2);
const PACE_MS = harness.envInt("BENCH_SIMULATOR_PACE_MS", 300);
const DIRS = harness.benchDirs(".bench-answered-by", "BENCH_STATE_DIR", "byourside-bench-answered");
const TERMINAL = new Set(["completed", "no_answer", "voicemail", "declined", "failed"]);
const ROWS = [
  ["+14155550101", "voicemail"],
  ["+14155550108", "voicemail, AMD misses the beep"],
  ["+14155550109", "mailbox full"],
  ["+14155550110", "screener, person picks up"],
  ["+14155550111", "screener takes a message"],
  ["+14155550112", "fax"],
  ["+14155550123", "a person"],
];
const ACTIONS = ["hangup", "leave_message"];

harness.runBench(main, 300_000);

async function main() {
  harness.resetDirs(DIRS);
  const port = await harness.pickPort(8800);
  const base = `http://${harness.HOST}:${port}`;
  const adminToken = randomBytes(24).toString("hex");
  await harness.applyMigrations(DIRS.state);
  await harness.startWrangler({
    port,
    dirs: DIRS,
    logLevel: "warn",
    vars: [
      `ADMIN_TOKEN:${adminToken}`,
      "ENVIRONMENT:development",
      "VOICE_PROVIDER:simulator",
      "TELEPHONY_PROVIDER:simulator",
      `PUBLIC_BASE_URL:${base}`,
      `SIMULATOR_PACE_MS:${PACE_MS}`,
    ],
  });
  const http = harness.httpClient(base, { maxSockets: CONCURRENCY * 2, timeoutMs: 10_000 });
  const { auth } = await harness.setUpCallingAccount(http, adminToken, 10_000);

  const jobs = ROWS.flatMap(([to, label]) =>
    ACTIONS.flatMap((action) => Array.from({ length: ROUNDS }, () => ({ to, label, action }))),
  );
  const results = new Map();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !harness.isFinishing()) {
      const job = jobs[next++];
      const placed = await harness.expectJson(
        http.send("POST", "/v1/agent/calls", auth, {
          to: job.to,
          objective: "Book a table for 4 at 7 PM Friday.",
          voicemail: { action: job.action },
        }),
        202,
      );
      const call = await waitTerminal(http, auth, placed.callId);
      const id = `${job.to} ${job.action}`;
      if (!results.has(id)) results.set(id, { ...job, calls: [] });
      results.get(id).calls.push(call);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  http.destroy();

  const m = harness.machine();
  console.log(
    `\n${m.nproc} CPUs (${m.cpu}), Node ${m.node}; code ${harness.codeVersion()}; ${ROUNDS} calls per row, ${CONCURRENCY} at a time`,
  );
  const range = (xs) => {
    const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
    return s.length === 0 ? "–" : `${harness.quantile(s, 0.5)} (${s[0]}–${s.at(-1)})`;
  };
  console.log(
    "| destination | action | status | answeredBy (source) | answeredByMs p50 (min–max) | beepMs | spokenMs | message |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of results.values()) {
    const c = r.calls;
    const distinct = (f) => [...new Set(c.map(f))].join(" / ");
    const vm = c.map((x) => x.voicemailMessage);
    console.log(
      `| ${r.to} (${r.label}) | ${r.action} | ${distinct((x) => x.status)} | ${distinct((x) => `${x.answeredBy} (${x.answeredBySource})`)} | ${range(c.map((x) => x.answeredByMs))} | ${range(vm.map((v) => v?.beepMs))} | ${range(vm.map((v) => v?.spokenMs))} | ${distinct((x) => (x.voicemailMessage ? (x.voicemailMessage.left ? "left" : x.voicemailMessage.reason) : "null"))} |`,
    );
  }
  return 0;
}

async function waitTerminal(http, auth, id) {
  const until = Date.now() + 40_000;
  for (;;) {
    const call = await harness.expectJson(http.send("GET", `/v1/agent/calls/${id}`, auth), 200);
    if (TERMINAL.has(call.status) || Date.now() > until) return call;
    await harness.sleep(100);
  }
}
