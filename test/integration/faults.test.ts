/**
 * Faults lose nothing and fool no one: a D1 write that fails between the session's store and the
 * row, a row left behind by a crash, a session loaded again mid-call, hostile media streams.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { twilioSignature } from "../../src/telephony/twilio/signature";
import {
  BASE,
  call,
  getCall,
  json,
  placeCall,
  setupAccount,
  signedCallback,
  VALID_CALL,
  waitForTerminal,
} from "../helpers";
import { waitFor } from "../wait-for";

const LINGERS = "+14155550105";
const SILENT = "+14155550107";

const stubOf = (id: string) => env.CALL_SESSION.get(env.CALL_SESSION.idFromName(id));

async function live(key: string, to = LINGERS) {
  const id = await placeCall(key, { ...VALID_CALL, to });
  await waitFor(async () => (await getCall(key, id)).status === "in_progress", {
    timeoutMs: 5000,
  });
  const sid = (await stubOf(id).snapshot())?.providerCallId ?? "";
  return { id, sid };
}

async function eventTypes(key: string, id: string): Promise<string[]> {
  const log = await json<{ events: { type: string }[] }>(
    await call("GET", `/v1/agent/calls/${id}/events`, { token: key }),
  );
  return log.events.map((e) => e.type);
}

async function sweep() {
  const { createScheduledController } = await import("cloudflare:test");
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function openStream(id: string) {
  const wss = `wss://api.test/telephony/twilio/media/${id}`;
  return exports.default.fetch(
    new Request(`${BASE}/telephony/twilio/media/${id}`, {
      headers: {
        upgrade: "websocket",
        "x-twilio-signature": await twilioSignature(env.SIMULATOR_AUTH_TOKEN, wss),
      },
    }),
  );
}

describe("the terminal record survives a failed D1 write", () => {
  it("a session whose D1 writes fail keeps its alarm until the row and every event are out", async () => {
    const { key } = await setupAccount();
    const { id, sid } = await live(key);
    const failures = vi.spyOn(console, "error");
    const syncFailed = () =>
      failures.mock.calls.filter(
        ([msg, detail]) =>
          String(msg).startsWith("syncing the call to D1") &&
          (detail as { callId?: string } | undefined)?.callId === id,
      ).length;
    await env.DB.exec("ALTER TABLE calls RENAME TO calls_away");
    try {
      const ended = await signedCallback(id, {
        CallSid: sid,
        CallStatus: "completed",
        CallDuration: "3",
        SequenceNumber: "9",
      });
      expect(ended.status).toBe(204);
      // The transition's write and the finalized record's write both fail while D1 is away.
      await waitFor(() => syncFailed() >= 2, { timeoutMs: 5000 });
    } finally {
      await env.DB.exec("ALTER TABLE calls_away RENAME TO calls");
      failures.mockRestore();
    }
    // The session's alarm writes them once D1 is back.
    const done = await waitForTerminal(key, id, { timeoutMs: 8000 });
    expect(done).toMatchObject({ status: "completed", durationSec: 3 });
    expect(done.summary).toEqual(expect.any(String));
    expect(await eventTypes(key, id)).toEqual([
      "call.dialing",
      "call.in_progress",
      "call.completed",
    ]);
  });

  it("the sweeper wakes a session whose row D1 lost: the row is written again", async () => {
    const { key } = await setupAccount();
    const { id, sid } = await live(key);
    await signedCallback(id, {
      CallSid: sid,
      CallStatus: "completed",
      CallDuration: "3",
      SequenceNumber: "9",
    });
    await waitForTerminal(key, id);
    // As if the runtime died after the session stored its end but before D1 had it.
    await env.DB.prepare(
      "UPDATE calls SET status = 'in_progress', ended_at = NULL, summary = NULL, created_at = ? WHERE id = ?",
    )
      .bind(new Date(Date.now() - 3 * 60 * 60 * 1000).toISOString(), id)
      .run();
    expect((await getCall(key, id)).status).toBe("in_progress");
    await sweep();
    expect(await getCall(key, id)).toMatchObject({ status: "completed", durationSec: 3 });
    expect(await eventTypes(key, id)).toEqual([
      "call.dialing",
      "call.in_progress",
      "call.completed",
    ]);
  });
});

describe("a cancel while D1 is away", () => {
  it("answers 503 store_error and changes nothing, instead of 202 with a stale record", async () => {
    const { key } = await setupAccount();
    const { id } = await live(key);
    await env.DB.exec("ALTER TABLE calls RENAME TO calls_away");
    let res: Response;
    try {
      res = await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
    } finally {
      await env.DB.exec("ALTER TABLE calls_away RENAME TO calls");
    }
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "store_error" });
    expect((await stubOf(id).snapshot())?.status).toBe("in_progress");
    // Once D1 is back the cancel goes through.
    const again = await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: "failed", error: "canceled" });
  });
});

describe("the recording's completeness", () => {
  // A session loaded again mid-call (a restart) is covered by the engine's table and by
  // `npm run bench:faults`, which kills the runtime: the test runtime cannot evict an object that
  // holds an open socket to the voice model.
  it("an uninterrupted call's recording is whole", async () => {
    const { key } = await setupAccount();
    const { id } = await live(key);
    await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
    expect(await waitForTerminal(key, id)).toMatchObject({ recordingTruncated: false });
  });
});

describe("hostile media streams", () => {
  it("a frame far larger than any Media Streams frame is refused before it is parsed", async () => {
    const { key } = await setupAccount();
    const id = await placeCall(key, { ...VALID_CALL, to: SILENT });
    await waitFor(async () => (await getCall(key, id)).status === "dialing");
    const parse = vi.spyOn(JSON, "parse");
    const res = await openStream(id);
    const ws = res.webSocket;
    if (!ws) throw new Error("no socket");
    ws.accept();
    const closed = new Promise<number>((resolve) =>
      ws.addEventListener("close", (e) => resolve(e.code)),
    );
    const before = parse.mock.calls.length;
    ws.send(`{"event":"start","pad":"${"x".repeat(64 * 1024)}"}`);
    expect(await closed).toBe(1009);
    const bigParses = parse.mock.calls
      .slice(before)
      .filter(([text]) => typeof text === "string" && text.length > 60_000);
    parse.mockRestore();
    expect(bigParses).toEqual([]);
    expect((await getCall(key, id)).status).toBe("dialing");
  });

  it("allows one media stream per call", async () => {
    const { key } = await setupAccount();
    const { id } = await live(key);
    // The simulated carrier's stream is open; a second one is refused.
    const second = await openStream(id);
    expect(second.status).toBe(403);
    expect(await second.json()).toEqual({ error: "forbidden" });
    await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
  });
});
