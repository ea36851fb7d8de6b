/**
 * The first words: how long after the answer the agent's first audio leaves toward the phone,
 * through the local path (wrangler dev, the simulated carrier and model; the simulated model
 * answers at once, so what is measured is ours: callbacks, the session, the model's set-up and
 * the bridge). The agent's first transcript line carries that offset: the time from the answer
 * to its first audio sent (see README "After the call").
 *
 * `npm run bench:first-words` — N calls (BENCH_CALLS, 20) placed BENCH_CONCURRENCY (4) at a time;
 * prints p50/p95/max and the call's firstReplyMs (end of the person's first words → agent audio).
 * Stops by itself within 3 minutes.
 */
import { randomBytes } from "node:crypto";
import * as harness from "./lib/harness.mjs";

const CALLS = harness.envInt("BENCH_CALLS", 20);
const CONCURRENCY = harness.envInt("BENCH_CONCURRENCY", 4);
const PACE_MS = harness.envInt("BENCH_SIMULATOR_PACE_MS", 300);
const DIRS = harness.benchDirs(".bench-first-words", "BENCH_STATE_DIR", "byourside-bench-first");
const TERMINAL = new Set(["completed", "no_answer", "voicemail", "declined", "failed"]);

harness.runBench(main, 180_000);

async function main() {
  harness.resetDirs(DIRS);
  const port = await harness.pickPort(8793);
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
  const { key } = await harness.setUpCallingAccount(http, adminToken, 10_000);
  const auth = { authorization: `Bearer ${key.key}` };

  const firstAudio = [];
  const firstReply = [];
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < CALLS && !harness.isFinishing()) {
      next += 1;
      const placed = await harness.expectJson(
        http.send("POST", "/v1/agent/calls", auth, {
          to: "+14155550123",
          objective: "Book a table for 4 at 7 PM Friday.",
        }),
        202,
      );
      const call = await waitTerminal(http, auth, placed.callId);
      const agentLine = (call.transcript ?? "").split("\n").find((l) => l.includes("] agent: "));
      const offset = agentLine && /^\[(\d+):(\d+\.\d)\]/.exec(agentLine);
      if (call.status !== "completed" || !offset) {
        failures.push(`${placed.callId}: ${call.status}, no agent line`);
        continue;
      }
      firstAudio.push(Number(offset[1]) * 60_000 + Math.round(Number(offset[2]) * 1000));
      if (call.responseLatency?.firstReplyMs != null)
        firstReply.push(call.responseLatency.firstReplyMs);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  http.destroy();

  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${harness.quantile(s, 0.5)} / ${harness.quantile(s, 0.95)} / ${s.at(-1)} ms (n=${s.length})`;
  };
  const m = harness.machine();
  console.log(
    `\n${m.nproc} CPUs (${m.cpu}), Node ${m.node}; code ${harness.codeVersion()}; SIMULATOR_PACE_MS ${PACE_MS}`,
  );
  console.log(
    `answer → first agent audio sent (transcript offset, 100 ms steps): p50 / p95 / max ${stats(firstAudio)}`,
  );
  console.log(
    `firstReplyMs (person's first words end → agent audio): p50 / p95 / max ${stats(firstReply)}`,
  );
  if (failures.length > 0) console.log(`FAILED calls: ${failures.join("; ")}`);
  return failures.length === 0 && firstAudio.length === CALLS ? 0 : 1;
}

async function waitTerminal(http, auth, id) {
  const until = Date.now() + 30_000;
  for (;;) {
    const call = await harness.expectJson(http.send("GET", `/v1/agent/calls/${id}`, auth), 200);
    if (TERMINAL.has(call.status) || Date.now() > until) return call;
    await harness.sleep(100);
  }
}
