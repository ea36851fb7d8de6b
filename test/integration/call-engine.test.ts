/**
 * The call engine's guarantees: verified carrier callbacks (forged, replayed, out of order),
 * cancellation, eviction mid-call, lost legs, and the cap-bounded maximum length.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { CallState } from "../../src/domain/call-state";
import { SIMULATOR_ACCOUNT_SID } from "../../src/env";
import worker from "../../src/index";
import { systemClock } from "../../src/lib/clock";
import { Recorder } from "../../src/recording/r2-recorder";
import { CarrierError, TwilioClient } from "../../src/telephony/twilio/client";
import { twilioSignature } from "../../src/telephony/twilio/signature";
import { BASE, call, json, setupAccount, signedCallback, VALID_CALL } from "../helpers";
import { waitFor as waitUntil } from "../wait-for";

type CallOut = {
  id: string;
  status: string;
  error: string | null;
  durationSec: number | null;
  startedAt: string | null;
};

const LINGERS = "+14155550105";
const DROPS = "+14155550106";
const SILENT = "+14155550107";

async function place(token: string, to: string): Promise<string> {
  const res = await call("POST", "/v1/agent/calls", { token, body: { ...VALID_CALL, to } });
  expect(res.status).toBe(202);
  return (await json<{ callId: string }>(res)).callId;
}

const getCall = async (token: string, id: string) =>
  json<CallOut>(await call("GET", `/v1/agent/calls/${id}`, { token }));

/** Polls the call until `done` holds (the shared waitFor over the public GET). */
async function waitFor(
  token: string,
  id: string,
  done: (c: CallOut) => boolean,
  timeoutMs = 5000,
): Promise<CallOut> {
  let last: CallOut | undefined;
  return waitUntil(
    async () => {
      last = await getCall(token, id);
      return done(last) && last;
    },
    { timeoutMs, intervalMs: 20, describe: () => JSON.stringify(last) },
  );
}

const stubOf = (id: string) => env.CALL_SESSION.get(env.CALL_SESSION.idFromName(id));

async function stateOf(id: string): Promise<CallState> {
  const state = await stubOf(id).snapshot();
  if (!state) throw new Error(`no session for ${id}`);
  return state;
}

/** Moves the session clock past the watchdog's current deadline, then fires the alarm. */
async function expireDeadline(id: string) {
  const { deadline } = await stateOf(id);
  if (!deadline) throw new Error("no deadline to expire");
  const clock = vi.spyOn(systemClock, "now").mockReturnValue(deadline.at + 1);
  try {
    expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
  } finally {
    clock.mockRestore();
  }
}

describe("carrier callbacks", () => {
  it("forged callbacks get 403 and change nothing", async () => {
    const { key } = await setupAccount();
    const id = await place(key, LINGERS);
    const live = await waitFor(key, id, (c) => c.status === "in_progress");
    const sid = (await stateOf(id)).providerCallId ?? "";
    const forged = {
      CallSid: sid,
      CallStatus: "completed",
      CallDuration: "3",
      SequenceNumber: "50",
    };
    expect((await signedCallback(id, forged, "status", "not-the-auth-token")).status).toBe(403);
    const unsigned = await exports.default.fetch(
      new Request(`${BASE}/telephony/twilio/status/${id}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(forged),
      }),
    );
    expect(unsigned.status).toBe(403);
    expect(
      (
        await signedCallback(
          id,
          { AnsweredBy: "machine_start", CallSid: sid },
          "amd",
          "wrong-token-123",
        )
      ).status,
    ).toBe(403);
    // Signed for another call id: the URL differs, so the signature does not verify.
    expect(
      (await signedCallback(crypto.randomUUID(), forged, "status", "x".repeat(12))).status,
    ).toBe(403);
    expect(await getCall(key, id)).toEqual(live);
  });

  it("replays get 403, stale and out-of-order callbacks are absorbed, a wrong CallSid is refused", async () => {
    const { key } = await setupAccount();
    const id = await place(key, LINGERS);
    await waitFor(key, id, (c) => c.status === "in_progress");
    const sid = (await stateOf(id)).providerCallId ?? "";
    // The simulator already sent SequenceNumber 1 (ringing): a byte-identical replay is refused.
    const replay = await signedCallback(id, {
      CallSid: sid,
      CallStatus: "ringing",
      SequenceNumber: "1",
    });
    expect(replay.status).toBe(403);
    // A late ringing callback (new sequence) after the answer does not move the call backward.
    expect(
      (await signedCallback(id, { CallSid: sid, CallStatus: "ringing", SequenceNumber: "7" }))
        .status,
    ).toBe(204);
    expect((await getCall(key, id)).status).toBe("in_progress");
    expect(
      (
        await signedCallback(id, {
          CallSid: "CA".padEnd(34, "0"),
          CallStatus: "busy",
          SequenceNumber: "8",
        })
      ).status,
    ).toBe(403);
    // The final callback ends it; an in-progress callback arriving after that changes nothing.
    expect(
      (
        await signedCallback(id, {
          CallSid: sid,
          CallStatus: "completed",
          CallDuration: "42",
          SequenceNumber: "9",
        })
      ).status,
    ).toBe(204);
    expect(
      (await signedCallback(id, { CallSid: sid, CallStatus: "in-progress", SequenceNumber: "6" }))
        .status,
    ).toBe(204);
    // The callback is answered once the transition is stored; the record follows post-call work.
    const ended = await waitFor(key, id, (c) => c.status !== "in_progress");
    expect(ended).toMatchObject({ status: "completed", durationSec: 42 });
  });

  it("a callback for a call that does not exist is 404", async () => {
    const res = await signedCallback(crypto.randomUUID(), {
      CallSid: "CA1",
      CallStatus: "ringing",
      SequenceNumber: "0",
    });
    expect(res.status).toBe(404);
  });
});

describe("the session's input queue", () => {
  it("answers a status callback as soon as its transition is stored, before post-call work ends", async () => {
    const { key } = await setupAccount();
    const id = await place(key, LINGERS);
    await waitFor(key, id, (c) => c.status === "in_progress");
    const sid = (await stateOf(id)).providerCallId ?? "";
    // Post-call work (the recording here) is held until the test lets it go.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const finish = vi.spyOn(Recorder.prototype, "finish").mockImplementation(async () => {
      await held;
      return undefined;
    });
    try {
      const ended = await signedCallback(id, {
        CallSid: sid,
        CallStatus: "completed",
        CallDuration: "4",
        SequenceNumber: "9",
      });
      // Had the callback waited for post-call work, it could not have been answered yet.
      expect(ended.status).toBe(204);
      await expect.poll(() => finish.mock.calls.length, { timeout: 3000 }).toBe(1);
      expect((await getCall(key, id)).status).toBe("in_progress");
      release();
      expect(await waitFor(key, id, (c) => c.status !== "in_progress")).toMatchObject({
        status: "completed",
        durationSec: 4,
      });
    } finally {
      release();
      finish.mockRestore();
    }
  });

  it("applies inputs that arrive together one at a time: one transition, one event each", async () => {
    const { key } = await setupAccount();
    const id = await place(key, LINGERS);
    await waitFor(key, id, (c) => c.status === "in_progress");
    const sid = (await stateOf(id)).providerCallId ?? "";
    const completed = {
      CallSid: sid,
      CallStatus: "completed",
      CallDuration: "5",
      SequenceNumber: "9",
    };
    const results = await Promise.all([
      signedCallback(id, completed),
      signedCallback(id, completed),
      signedCallback(id, { CallSid: sid, CallStatus: "in-progress", SequenceNumber: "10" }),
      call("POST", `/v1/agent/calls/${id}/cancel`, { token: key }),
    ]);
    // Exactly one of the two identical callbacks is applied; the other is a replay.
    expect(
      results
        .slice(0, 2)
        .map((r) => r.status)
        .sort(),
    ).toEqual([204, 403]);
    expect(results[2]?.status).toBe(204);
    // The completed callback or the cancel came first; whichever it was, the other found it ended.
    const ended = await waitFor(key, id, (c) => c.status !== "in_progress");
    expect(
      (ended.status === "completed" && results[3]?.status === 409) ||
        (ended.status === "failed" && ended.error === "canceled" && results[3]?.status === 202),
    ).toBe(true);
    const log = await json<{ events: { type: string }[] }>(
      await call("GET", `/v1/agent/calls/${id}/events`, { token: key }),
    );
    expect(log.events.map((e) => e.type)).toEqual([
      "call.dialing",
      "call.in_progress",
      `call.${ended.status}`,
    ]);
  });
});

describe("media stream", () => {
  it("an upgrade without a valid signature is refused", async () => {
    const { key } = await setupAccount();
    const id = await place(key, SILENT);
    const res = await exports.default.fetch(
      new Request(`${BASE}/telephony/twilio/media/${id}`, {
        headers: { upgrade: "websocket", "x-twilio-signature": "bad" },
      }),
    );
    expect(res.status).toBe(403);
    expect(res.webSocket).toBeNull();
  });

  it("a signed stream with the wrong per-call token is closed with 1008 and changes nothing", async () => {
    const { key } = await setupAccount();
    const id = await place(key, SILENT);
    await waitFor(key, id, (c) => c.status === "dialing");
    const wss = `wss://api.test/telephony/twilio/media/${id}`;
    const res = await exports.default.fetch(
      new Request(`${BASE}/telephony/twilio/media/${id}`, {
        headers: {
          upgrade: "websocket",
          "x-twilio-signature": await twilioSignature(env.SIMULATOR_AUTH_TOKEN, wss),
        },
      }),
    );
    expect(res.status).toBe(101);
    const ws = res.webSocket;
    if (!ws) throw new Error("no socket");
    ws.accept();
    const closed = new Promise<number>((resolve) =>
      ws.addEventListener("close", (e) => resolve(e.code)),
    );
    ws.send(
      JSON.stringify({
        event: "start",
        streamSid: "MZ1",
        start: { callSid: "CA1", streamSid: "MZ1", customParameters: { token: "guess" } },
      }),
    );
    expect(await closed).toBe(1008);
    expect((await getCall(key, id)).status).toBe("dialing");
  });
});

describe("cancel", () => {
  it("hangs up a live call: failed with error canceled; again → 409; other accounts → 404", async () => {
    const { key } = await setupAccount();
    const other = await setupAccount();
    const id = await place(key, LINGERS);
    await waitFor(key, id, (c) => c.status === "in_progress");
    expect((await call("POST", `/v1/agent/calls/${id}/cancel`, { token: other.key })).status).toBe(
      404,
    );
    const res = await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      id,
      status: "failed",
      error: "canceled",
      durationSec: expect.any(Number),
    });
    const again = await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: "call_already_ended" });
    // The carrier's final callback arrives after our hang-up and is absorbed.
    await new Promise((r) => setTimeout(r, 150));
    expect(await getCall(key, id)).toMatchObject({ status: "failed", error: "canceled" });
  });

  it("withdraws a ringing call", async () => {
    const { key } = await setupAccount();
    const id = await place(key, SILENT);
    await waitFor(key, id, (c) => c.status === "dialing");
    const res = await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
    expect(await res.json()).toMatchObject({
      status: "failed",
      error: "canceled",
      startedAt: null,
      durationSec: null,
    });
  });

  it("a finished call answers 409 with its natural status kept", async () => {
    const { key } = await setupAccount();
    const id = await place(key, "+14155550102");
    await waitFor(key, id, (c) => c.status === "declined");
    expect((await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key })).status).toBe(409);
    expect((await getCall(key, id)).status).toBe("declined");
  });
});

describe("every call ends", () => {
  it("a carrier that never calls back: the ring watchdog fails the call and withdraws it", async () => {
    const { key } = await setupAccount();
    const id = await place(key, SILENT);
    await waitFor(key, id, (c) => c.status === "dialing");
    await expireDeadline(id);
    expect(await getCall(key, id)).toMatchObject({ status: "failed", error: "ring_timeout" });
  });

  it("a media socket dropped without a stop ends as failed media_lost", async () => {
    const { key } = await setupAccount();
    const id = await place(key, DROPS);
    await waitFor(key, id, (c) => c.status === "in_progress");
    await expect.poll(async () => (await stateOf(id)).mediaEnded, { timeout: 3000 }).toBe("lost");
    await expireDeadline(id);
    expect(await getCall(key, id)).toMatchObject({ status: "failed", error: "media_lost" });
  });

  it("survives eviction mid-call: state reloads and the watchdog still ends the call", async () => {
    // A live call holds an outgoing socket to the voice model, which keeps its object in memory
    // (the platform does not evict it); a ringing call has none and can be evicted.
    const { key } = await setupAccount();
    const id = await place(key, SILENT);
    await waitFor(key, id, (c) => c.status === "dialing");
    const before = await stateOf(id);
    const { evictDurableObject } = await import("cloudflare:test");
    await evictDurableObject(stubOf(id));
    expect(await stateOf(id)).toEqual(before);
    await expireDeadline(id);
    expect(await getCall(key, id)).toMatchObject({ status: "failed", error: "ring_timeout" });
    // And the cancel of a call that ended meanwhile is refused, not replayed.
    expect((await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key })).status).toBe(409);
  });

  it("a call whose start was lost is started by the sweeper and ends", async () => {
    const { key, accountId, keyId } = await setupAccount();
    const id = crypto.randomUUID();
    const placedAt = new Date(Date.now() - 60_000).toISOString();
    await env.DB.prepare(
      `INSERT INTO calls (id, account_id, api_key_id, "to", caller_id, objective, voice, language, language_source, status, created_at)
       VALUES (?, ?, ?, '+14155550102', '+12025550143', 'Ask for Bob.', 'Aoede', 'en-US', 'explicit', 'queued', ?)`,
    )
      .bind(id, accountId, keyId, placedAt)
      .run();
    const { createScheduledController, createExecutionContext, waitOnExecutionContext } =
      await import("cloudflare:test");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await waitFor(key, id, (c) => c.status === "declined")).toMatchObject({
      status: "declined",
    });
  });

  it("cancelling a call whose start was lost still ends it through the engine", async () => {
    const { key, accountId, keyId } = await setupAccount();
    const id = crypto.randomUUID();
    await env.DB.prepare(
      `INSERT INTO calls (id, account_id, api_key_id, "to", caller_id, objective, voice, language, language_source, status, created_at)
       VALUES (?, ?, ?, '+14155550107', '+12025550143', 'Ask for Bob.', 'Aoede', 'en-US', 'explicit', 'queued', ?)`,
    )
      .bind(id, accountId, keyId, new Date().toISOString())
      .run();
    const res = await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id, status: "failed", error: "canceled" });
  });

  it("caps the call at the account's remaining minutes, and ends it there", async () => {
    const { key } = await setupAccount({ minuteCap: 2 });
    const id = await place(key, LINGERS);
    await waitFor(key, id, (c) => c.status === "in_progress");
    const state = await stateOf(id);
    expect(state.maxDurationMs).toBe(120_000);
    const reserved = await env.DB.prepare("SELECT reserved_sec FROM calls WHERE id = ?")
      .bind(id)
      .first();
    expect(reserved).toEqual({ reserved_sec: 120 });
    // While it holds every remaining minute, no other call can be placed.
    const blocked = await call("POST", "/v1/agent/calls", { token: key, body: VALID_CALL });
    expect(await blocked.json()).toEqual({ error: "over_minute_cap" });
    await expireDeadline(id);
    expect(await getCall(key, id)).toMatchObject({ status: "completed", error: null });
    expect(
      await env.DB.prepare("SELECT reserved_sec FROM calls WHERE id = ?").bind(id).first(),
    ).toEqual({ reserved_sec: 0 });
  });

  it("concurrent answers cannot both take the same minutes, nor the other call's held minute", async () => {
    const { key } = await setupAccount({ minuteCap: 3 });
    const [a, b] = await Promise.all([place(key, LINGERS), place(key, LINGERS)]);
    const ended = (c: CallOut) => c.status === "in_progress" || c.status === "failed";
    await Promise.all([waitFor(key, a, ended), waitFor(key, b, ended)]);
    const states = await Promise.all([stateOf(a), stateOf(b)]);
    const granted = states.map((s) => s.maxDurationMs ?? 0).sort((x, y) => x - y);
    // Each was admitted holding one minute: the first to answer gets the 2 minutes nobody holds
    // (its own minute included), the second keeps the minute it held. Neither is hung up on.
    expect(granted).toEqual([60_000, 120_000]);
    expect(states.map((s) => s.error)).toEqual([null, null]);
    await call("POST", `/v1/agent/calls/${a}/cancel`, { token: key });
    await call("POST", `/v1/agent/calls/${b}/cancel`, { token: key });
  });
});

describe("the Twilio client against the simulator's Twilio API", () => {
  const transport = (req: Request) => exports.default.fetch(req);
  const request = {
    to: "+14155550123",
    from: "+12025550143",
    streamUrl: "wss://api.test/telephony/twilio/media/x",
    streamParams: { token: "t" },
    statusCallbackUrl: "https://api.test/telephony/twilio/status/x",
    amdCallbackUrl: "https://api.test/telephony/twilio/amd/x",
    timeoutSec: 30,
    timeLimitSec: 600,
  };

  it("is refused without the right Basic auth, and that is not retried", async () => {
    const client = new TwilioClient(
      {
        apiBase: `${BASE}/simulator/twilio`,
        accountSid: SIMULATOR_ACCOUNT_SID,
        authToken: "not-the-token",
      },
      transport,
    );
    const error = await client.createCall(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierError);
    expect(error).toMatchObject({ status: 401, code: 20003, retryable: false });
  });

  it("compares the Basic auth in constant time (digests through timingSafeEqual)", async () => {
    const compared = vi.spyOn(crypto.subtle, "timingSafeEqual");
    onTestFinished(() => compared.mockRestore());
    const expected = `Basic ${btoa(`${SIMULATOR_ACCOUNT_SID}:${env.SIMULATOR_AUTH_TOKEN}`)}`;
    // Differs only in its last character: an early-exit comparison would answer fastest here.
    const almost = `${expected.slice(0, -2)}x=`;
    const res = await exports.default.fetch(
      new Request(
        `${BASE}/simulator/twilio/2010-04-01/Accounts/${SIMULATOR_ACCOUNT_SID}/Calls.json`,
        {
          method: "POST",
          headers: { authorization: almost, "content-type": "application/x-www-form-urlencoded" },
          body: "To=%2B14155550123",
        },
      ),
    );
    expect(res.status).toBe(401);
    expect(compared).toHaveBeenCalledOnce();
    const [a, b] = compared.mock.calls[0] ?? [];
    // SHA-256 digests: equal lengths whatever was sent, so nothing leaks through the length either.
    expect([a?.byteLength, b?.byteLength]).toEqual([32, 32]);
  });

  it("gets Twilio's error for a missing To, and a Call resource with a CA sid otherwise", async () => {
    const client = new TwilioClient(
      {
        apiBase: `${BASE}/simulator/twilio`,
        accountSid: SIMULATOR_ACCOUNT_SID,
        authToken: env.SIMULATOR_AUTH_TOKEN,
      },
      transport,
    );
    expect(await client.createCall({ ...request, to: "" }).catch((e: unknown) => e)).toMatchObject({
      status: 400,
      code: 21201,
    });
    const created = await client.createCall({
      ...request,
      statusCallbackUrl: `https://api.test/telephony/twilio/status/${crypto.randomUUID()}`,
    });
    expect(created.sid).toMatch(/^CA[0-9a-f]{32}$/);
  });
});
