/**
 * The question's round trip (issue 16), through the local path (wrangler dev, the simulated
 * carrier and model, a local webhook receiver): +14155550118 asks "7:30 instead of 7?", the
 * simulated model calls ask_requester, and we measure
 *  - asked → event: the question's askedAt (stamped by the call's Durable Object when the model's
 *    tool call arrived) → the call.question webhook's arrival at the receiver (same machine clock);
 *  - answer POST → 200: the answer is stored by the call's Durable Object and its tool result
 *    handed to the model connection in the same turn (the 200 comes back once it is stored);
 *  - requester line → agent's next line: the transcript's offsets (100 ms steps), the answer to
 *    the agent's relayed reply starting to play.
 *
 * `node bench/questions.bench.mjs` — N calls (BENCH_CALLS, 5), one at a time. Stops within 3 min.
 */
import { randomBytes } from "node:crypto";
import * as harness from "./lib/harness.mjs";
import { startReceiver } from "./lib/webhook-receiver.mjs";

const CALLS = harness.envInt("BENCH_CALLS", 5);
const PACE_MS = harness.envInt("BENCH_SIMULATOR_PACE_MS", 300);
const DIRS = harness.benchDirs(".bench-questions", "BENCH_STATE_DIR", "byourside-bench-questions");
const TERMINAL = new Set(["completed", "no_answer", "voicemail", "declined", "failed"]);

harness.runBench(main, 180_000);

async function main() {
  harness.resetDirs(DIRS);
  const port = await harness.pickPort(8810);
  const base = `http://${harness.HOST}:${port}`;
  const adminToken = randomBytes(24).toString("hex");
  const receiver = await startReceiver();
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
      "ALLOW_LOCAL_WEBHOOKS:true",
      `PUBLIC_BASE_URL:${base}`,
      `SIMULATOR_PACE_MS:${PACE_MS}`,
    ],
  });
  const http = harness.httpClient(base, { maxSockets: 4, timeoutMs: 10_000 });
  const { auth } = await harness.setUpCallingAccount(http, adminToken, 10_000);
  const hook = `http://${harness.HOST}:${receiver.port}/hook`;

  const toEvent = [];
  const answerRtt = [];
  const toReply = [];
  const failures = [];
  for (let i = 0; i < CALLS && !harness.isFinishing(); i++) {
    const placed = await harness.expectJson(
      http.send("POST", "/v1/agent/calls", auth, {
        to: "+14155550118",
        objective: "Book a table for 4 at 7 PM Friday.",
        questions: { enabled: true, timeoutSec: 60 },
        webhookUrl: hook,
      }),
      202,
    );
    const id = placed.callId;
    const event = await waitFor(
      () =>
        receiver.deliveries.find((d) => d.json?.type === "call.question" && d.json.callId === id),
      20_000,
    );
    if (!event) {
      failures.push(`${id}: no call.question`);
      continue;
    }
    const q = event.json.data.question;
    toEvent.push(Math.round(event.at - Date.parse(q.askedAt)));
    const sent = performance.now();
    await harness.expectJson(
      http.send("POST", `/v1/agent/calls/${id}/questions/${q.id}/answer`, auth, { answer: "yes" }),
      200,
    );
    answerRtt.push(Math.round(performance.now() - sent));
    const call = await waitTerminal(http, auth, id);
    const lines = (call.transcript ?? "").split("\n");
    const at = lines.findIndex((l) => l.includes("] requester: "));
    const reply = lines.slice(at + 1).find((l) => l.includes("] agent: "));
    if (call.status !== "completed" || at < 0 || !reply) {
      failures.push(`${id}: ${call.status}, no relayed reply`);
      continue;
    }
    toReply.push(offsetOf(reply) - offsetOf(lines[at]));
  }
  http.destroy();
  receiver.server.close();

  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${harness.quantile(s, 0.5)} / ${harness.quantile(s, 0.95)} / ${s.at(-1)} ms (n=${s.length})`;
  };
  const m = harness.machine();
  console.log(
    `\n${m.nproc} CPUs (${m.cpu}), Node ${m.node}; code ${harness.codeVersion()}; SIMULATOR_PACE_MS ${PACE_MS}`,
  );
  console.log(`model asks → call.question at the receiver: p50 / p95 / max ${stats(toEvent)}`);
  console.log(`answer POST → 200 (stored, tool result sent): p50 / p95 / max ${stats(answerRtt)}`);
  console.log(
    `requester line → agent's relayed reply (100 ms steps): p50 / p95 / max ${stats(toReply)}`,
  );
  if (failures.length > 0) console.log(`FAILED calls: ${failures.join("; ")}`);
  return failures.length === 0 ? 0 : 1;
}

function offsetOf(line) {
  const m = /^\[(\d+):(\d+\.\d)\]/.exec(line ?? "");
  return m ? Number(m[1]) * 60_000 + Math.round(Number(m[2]) * 1000) : Number.NaN;
}

async function waitFor(probe, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v || Date.now() > until) return v;
    await harness.sleep(5);
  }
}

async function waitTerminal(http, auth, id) {
  const until = Date.now() + 60_000;
  for (;;) {
    const call = await harness.expectJson(http.send("GET", `/v1/agent/calls/${id}`, auth), 200);
    if (TERMINAL.has(call.status) || Date.now() > until) return call;
    await harness.sleep(100);
  }
}
