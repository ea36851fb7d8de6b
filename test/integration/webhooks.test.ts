/**
 * Signed webhooks that are never lost: events per transition through the real queue, Standard
 * Webhooks signatures checked with the public library, the consumer's retry and stop rules, the
 * dead-letter queue, the event log and redelivery.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RETRY_DELAYS_SEC } from "../../src/domain/retry-schedule";
import worker from "../../src/index";
import { admin, call, json, setupAccount, VALID_CALL } from "../helpers";
import { waitFor } from "../wait-for";

const HOOK = "https://hooks.example.com/bys";
type Received = { url: string; headers: Record<string, string>; body: string };

/** A fake receiver at hooks.example.com; `answer` decides each response. */
function receiver(
  answer: (n: number, req: Received) => Promise<Response> | Response = () => new Response("ok"),
) {
  const received: Received[] = [];
  const original = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    if (!req.url.startsWith("https://hooks.example.com/")) return original(input, init);
    const got = { url: req.url, headers: Object.fromEntries(req.headers), body: await req.text() };
    received.push(got);
    return answer(received.length, got);
  });
  return received;
}

afterEach(() => vi.restoreAllMocks());

async function seedEvent(
  accountId: string,
  url = HOOK,
  {
    createdAt = new Date().toISOString(),
    attempts = 0,
    nextAttemptAt = null as string | null,
  } = {},
) {
  const callId = crypto.randomUUID();
  const eventId = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
  const now = createdAt;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO calls (id, account_id, api_key_id, "to", caller_id, objective, webhook_url, voice, language, language_source, status, created_at)
       VALUES (?, ?, 'key_x', '+14155550123', '+12025550143', 'seed', ?, 'Aoede', 'en-US', 'explicit', 'dialing', ?)`,
    ).bind(callId, accountId, url, now),
    env.DB.prepare(
      `INSERT INTO webhook_events (id, account_id, call_id, type, payload, status, created_at, attempts, next_attempt_at)
       VALUES (?, ?, ?, 'call.dialing', ?, 'pending', ?, ?, ?)`,
    ).bind(
      eventId,
      accountId,
      callId,
      JSON.stringify({ id: eventId, type: "call.dialing", callId }),
      now,
      attempts,
      nextAttemptAt,
    ),
  ]);
  return { callId, eventId };
}

/** Runs the consumer on one batch; retryMessages carry the delay each message asked for. */
async function consume(
  messages: { eventId: string; attempts: number }[],
  queue = "byourside-webhooks",
) {
  const batch = createMessageBatch<{ eventId: string }>(
    queue,
    messages.map((m, i) => ({
      id: `msg-${i}`,
      timestamp: new Date(),
      attempts: m.attempts,
      body: { eventId: m.eventId },
    })),
  );
  // The test harness records that a message was retried but not its delay, so watch retry() too.
  const delays = new Map<string, number | undefined>();
  for (const m of batch.messages) {
    const retry = m.retry.bind(m);
    vi.spyOn(m, "retry").mockImplementation((opts) => {
      delays.set(m.id, opts?.delaySeconds);
      retry(opts);
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryMessages: result.retryMessages.map((r) =>
      delays.get(r.msgId) === undefined ? r : { ...r, delaySeconds: delays.get(r.msgId) },
    ),
  };
}

const attemptsOf = (eventId: string) =>
  env.DB.prepare(
    "SELECT attempt, status_code, error FROM webhook_deliveries WHERE event_id = ? ORDER BY attempt",
  )
    .bind(eventId)
    .all()
    .then((r) => r.results);
const eventRow = (eventId: string) =>
  env.DB.prepare("SELECT status, attempts FROM webhook_events WHERE id = ?").bind(eventId).first();

/**
 * Resolves once the webhooks queue has handled every message sent before the call, so that a test
 * can check what was not sent without sleeping. The local queue hands a batch to the consumer once
 * it is full (or max_batch_timeout later) and the next only after it: when a full batch of markers
 * sent now has been handled, every earlier message was handed over; when a second one sent after
 * that has been handled, those earlier batches have finished. A marker is an event for a blocked
 * address, which the consumer records as failed without sending anything.
 */
async function webhookQueueSettled(accountId: string): Promise<void> {
  const BATCH = 10; // max_batch_size in wrangler.toml
  for (let round = 0; round < 2; round++) {
    const markers: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      markers.push((await seedEvent(accountId, "https://169.254.169.254/marker")).eventId);
    }
    await env.WEBHOOKS.sendBatch(markers.map((eventId) => ({ body: { eventId } })));
    await waitFor(async () => {
      const rows = await Promise.all(markers.map(eventRow));
      return rows.every((row) => row?.status === "failed");
    });
  }
}

describe("end to end through the queue", () => {
  it("delivers one signed event per transition, verifiable with standardwebhooks", async () => {
    const received = receiver();
    const { key, webhookSecret } = await setupAccount();
    const placed = await json<{ callId: string }>(
      await call("POST", "/v1/agent/calls", {
        token: key,
        body: { ...VALID_CALL, webhookUrl: HOOK },
      }),
    );
    await expect
      .poll(() => received.length, { timeout: 15_000, interval: 100 })
      .toBeGreaterThanOrEqual(3);
    const events = received.map(
      (r) =>
        new Webhook(webhookSecret).verify(r.body, r.headers) as {
          id: string;
          type: string;
          timestamp: string;
          callId: string;
          data: { call: Record<string, unknown> };
        },
    );
    expect(events.map((e) => e.type).sort()).toEqual([
      "call.completed",
      "call.dialing",
      "call.in_progress",
    ]);
    for (const [i, e] of events.entries()) {
      expect(e.callId).toBe(placed.callId);
      expect(received[i]?.headers["webhook-id"]).toBe(e.id);
      expect(received[i]?.headers["content-type"]).toBe("application/json");
    }
    const terminal = events.find((e) => e.type === "call.completed");
    // The terminal event goes out after the post-call work, with the full record.
    expect(terminal?.data.call).toMatchObject({
      id: placed.callId,
      status: "completed",
      transcript: expect.stringContaining("recipient: Sure, we can do that."),
      recordingUrl: `https://api.test/v1/agent/calls/${placed.callId}/recording`,
      durationSec: expect.any(Number),
    });
    expect(terminal?.data.call).toEqual(
      await json(await call("GET", `/v1/agent/calls/${placed.callId}`, { token: key })),
    );
    // Each event is stamped with when its transition happened, not when it was sent.
    expect(terminal?.timestamp).toBe(terminal?.data.call.endedAt);
    const answered = events.find((e) => e.type === "call.in_progress");
    expect(answered?.timestamp).toBe(answered?.data.call.startedAt);

    const log = await json<{
      events: { id: string; type: string; status: string; attempts: { statusCode: number }[] }[];
    }>(await call("GET", `/v1/agent/calls/${placed.callId}/events`, { token: key }));
    expect(log.events.map((e) => e.type)).toEqual([
      "call.dialing",
      "call.in_progress",
      "call.completed",
    ]);
    for (const e of log.events) {
      expect(e.status).toBe("delivered");
      expect(e.attempts).toEqual([
        expect.objectContaining({ attempt: 1, statusCode: 200, error: null }),
      ]);
    }

    // Redelivery sends the same event again, with the same webhook-id.
    const first = log.events[0];
    if (!first) throw new Error("no event");
    const again = await call(
      "POST",
      `/v1/agent/calls/${placed.callId}/events/${first.id}/redeliver`,
      { token: key },
    );
    expect(again.status).toBe(202);
    await expect
      .poll(() => received.filter((r) => r.headers["webhook-id"] === first.id).length, {
        timeout: 10_000,
      })
      .toBe(2);
    // The log numbers the redelivery after the first attempt.
    await expect
      .poll(async () => (await attemptsOf(first.id)).map((a) => a.attempt), { timeout: 5_000 })
      .toEqual([1, 2]);

    const other = await setupAccount();
    expect(
      (await call("GET", `/v1/agent/calls/${placed.callId}/events`, { token: other.key })).status,
    ).toBe(404);
    expect(
      (
        await call("POST", `/v1/agent/calls/${placed.callId}/events/evt_nope/redeliver`, {
          token: key,
        })
      ).status,
    ).toBe(404);
  });

  it("records events without sending them when the call has no webhookUrl", async () => {
    const received = receiver();
    const { key } = await setupAccount();
    const placed = await json<{ callId: string }>(
      await call("POST", "/v1/agent/calls", { token: key, body: VALID_CALL }),
    );
    await expect
      .poll(
        async () =>
          (
            await json<{ events: unknown[] }>(
              await call("GET", `/v1/agent/calls/${placed.callId}/events`, { token: key }),
            )
          ).events.length,
        { timeout: 10_000 },
      )
      .toBe(3);
    const log = await json<{ events: { id: string; status: string }[] }>(
      await call("GET", `/v1/agent/calls/${placed.callId}/events`, { token: key }),
    );
    expect(log.events.every((e) => e.status === "no_endpoint")).toBe(true);
    const redo = await call(
      "POST",
      `/v1/agent/calls/${placed.callId}/events/${log.events[0]?.id}/redeliver`,
      { token: key },
    );
    expect(await redo.json()).toEqual({ error: "no_webhook_url" });
    expect(received).toHaveLength(0);
  });
});

describe("the consumer", () => {
  it("500, 500, 500 then 200: four attempts with growing delays, exactly one success", async () => {
    const statuses = [500, 500, 500, 200];
    receiver((n) => new Response("x", { status: statuses[n - 1] ?? 200 }));
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await consume([{ eventId, attempts: attempt }]);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toHaveLength(1);
      delays.push(result.retryMessages[0]?.delaySeconds ?? 0);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(4);
    expect(delays[0]).toBeLessThanOrEqual(6);
    expect(delays[1]).toBeGreaterThan(delays[0] ?? 0);
    expect(delays[2]).toBeGreaterThan(delays[1] ?? 0);
    const last = await consume([{ eventId, attempts: 4 }]);
    expect(last.explicitAcks).toEqual(["msg-0"]);
    expect(last.retryMessages).toEqual([]);
    expect(await attemptsOf(eventId)).toEqual([
      { attempt: 1, status_code: 500, error: "http_500" },
      { attempt: 2, status_code: 500, error: "http_500" },
      { attempt: 3, status_code: 500, error: "http_500" },
      { attempt: 4, status_code: 200, error: null },
    ]);
    expect(await eventRow(eventId)).toEqual({ status: "delivered", attempts: 4 });
  });

  it("stops on 410 Gone", async () => {
    receiver(() => new Response(null, { status: 410 }));
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId);
    const result = await consume([{ eventId, attempts: 1 }]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(await eventRow(eventId)).toEqual({ status: "failed", attempts: 1 });
  });

  it("does not follow redirects: a 302 is a failed attempt", async () => {
    const received = receiver(
      () =>
        new Response(null, {
          status: 302,
          headers: { location: "https://hooks.example.com/elsewhere" },
        }),
    );
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId);
    const result = await consume([{ eventId, attempts: 1 }]);
    expect(result.retryMessages).toHaveLength(1);
    expect(received).toHaveLength(1);
    expect(await attemptsOf(eventId)).toEqual([
      { attempt: 1, status_code: 302, error: "redirect_not_followed" },
    ]);
  });

  it("honours a Retry-After on 429 and 503 that asks for a longer wait than the schedule", async () => {
    receiver(
      (n) =>
        new Response(null, {
          status: n === 1 ? 429 : 503,
          headers: { "retry-after": n === 1 ? "120" : "7200" },
        }),
    );
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId);
    expect((await consume([{ eventId, attempts: 1 }])).retryMessages).toEqual([
      { msgId: "msg-0", delaySeconds: 120 },
    ]);
    expect((await consume([{ eventId, attempts: 2 }])).retryMessages).toEqual([
      { msgId: "msg-0", delaySeconds: 7200 },
    ]);
  });

  it("a short Retry-After cannot spend the schedule: eight attempts still span at least 24 hours", async () => {
    // A receiver answering 503 with Retry-After: 1 to everything.
    receiver(() => new Response(null, { status: 503, headers: { "retry-after": "1" } }));
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId);
    let total = 0;
    for (const [i, base] of RETRY_DELAYS_SEC.entries()) {
      const result = await consume([{ eventId, attempts: i + 1 }]);
      expect(result.explicitAcks).toEqual([]);
      const delay = result.retryMessages[0]?.delaySeconds ?? 0;
      // The schedule's step with its ±10 % jitter, never the receiver's 1 s.
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
      expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.1));
      total += delay;
    }
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    expect(await eventRow(eventId)).toEqual({ status: "pending", attempts: 7 });
    const last = await consume([{ eventId, attempts: 8 }]);
    expect(last.explicitAcks).toEqual(["msg-0"]);
    await expect
      .poll(async () => (await eventRow(eventId))?.status, { timeout: 10_000, interval: 100 })
      .toBe("failed");
  });

  it("a hanging receiver times out without holding up the rest of the batch", async () => {
    // A receiver that never answers: only the request's abort signal (our timeout) ends the wait.
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const req = new Request(input, init);
      if (!req.url.endsWith("/hang")) return Promise.resolve(new Response("ok"));
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    });
    const { accountId } = await setupAccount();
    const slow = await seedEvent(accountId, "https://hooks.example.com/hang");
    const fast = await seedEvent(accountId);
    const started = Date.now();
    const result = await consume([
      { eventId: slow.eventId, attempts: 1 },
      { eventId: fast.eventId, attempts: 1 },
    ]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.explicitAcks).toEqual(["msg-1"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-0"]);
    expect(await attemptsOf(slow.eventId)).toEqual([
      { attempt: 1, status_code: null, error: "timeout" },
    ]);
  });

  it("one message failing unexpectedly is retried alone; the others stay acknowledged", async () => {
    receiver();
    const { accountId } = await setupAccount();
    const ok1 = await seedEvent(accountId);
    const broken = await seedEvent(accountId);
    const ok2 = await seedEvent(accountId);
    // Make recording the attempt of one event fail in storage.
    await env.DB.prepare(
      `CREATE TRIGGER break_one BEFORE INSERT ON webhook_deliveries WHEN NEW.event_id = '${broken.eventId}'
       BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`,
    ).run();
    const result = await consume([
      { eventId: ok1.eventId, attempts: 1 },
      { eventId: broken.eventId, attempts: 1 },
      { eventId: ok2.eventId, attempts: 1 },
    ]);
    await env.DB.prepare("DROP TRIGGER break_one").run();
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-2"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-1"]);
  });

  it("after the last scheduled attempt the event lands in the dead-letter queue, which marks it failed", async () => {
    // Even a receiver asking for a later attempt does not add attempts to the schedule.
    receiver(() => new Response(null, { status: 429, headers: { "retry-after": "43200" } }));
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId, HOOK, { attempts: 6 });
    const seventh = await consume([{ eventId, attempts: 7 }]);
    expect(seventh.retryMessages).toEqual([{ msgId: "msg-0", delaySeconds: 43_200 }]);
    expect(await eventRow(eventId)).toMatchObject({ status: "pending", attempts: 7 });
    const last = await consume([{ eventId, attempts: 8 }]);
    expect(last.explicitAcks).toEqual(["msg-0"]);
    expect(last.retryMessages).toEqual([]);
    expect(await eventRow(eventId)).toMatchObject({ status: "pending", attempts: 8 });
    // The forwarded message reaches the dead-letter consumer through the real local queue.
    await expect
      .poll(async () => (await eventRow(eventId))?.status, { timeout: 10_000, interval: 100 })
      .toBe("failed");
  });

  it("a message the sweeper re-sent continues the schedule: its last attempt goes to the dead-letter queue", async () => {
    receiver(() => new Response(null, { status: 500 }));
    const { accountId } = await setupAccount();
    // Seven attempts logged, and a fresh queue message (its own count starts at 1 again).
    const { eventId } = await seedEvent(accountId, HOOK, { attempts: 7 });
    const result = await consume([{ eventId, attempts: 1 }]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(await attemptsOf(eventId)).toEqual([
      expect.objectContaining({ attempt: 8, status_code: 500 }),
    ]);
    await expect
      .poll(async () => (await eventRow(eventId))?.status, { timeout: 10_000, interval: 100 })
      .toBe("failed");
  });

  it("the dead-letter queue marks failed what the queue gave up on", async () => {
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId);
    const dead = await consume([{ eventId, attempts: 1 }], "byourside-webhooks-dlq");
    expect(dead.explicitAcks).toEqual(["msg-0"]);
    expect(await eventRow(eventId)).toMatchObject({ status: "failed" });
  });

  it("re-checks the URL at send time: a stored private address is never contacted", async () => {
    const received = receiver();
    const { accountId } = await setupAccount();
    const { eventId } = await seedEvent(accountId, "https://169.254.169.254/latest");
    const result = await consume([{ eventId, attempts: 1 }]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(received).toHaveLength(0);
    expect(await attemptsOf(eventId)).toEqual([
      { attempt: 1, status_code: null, error: "blocked_url" },
    ]);
    expect(await eventRow(eventId)).toMatchObject({ status: "failed" });
  });
});

describe("secret rotation", () => {
  it("signs with the new and the old secret during the grace period", async () => {
    const received = receiver();
    const { accountId, webhookSecret: old } = await setupAccount();
    const rotated = await json<{ webhookSecret: string; previousWebhookSecretExpiresAt: string }>(
      await admin("POST", `/accounts/${accountId}/webhook-secret/rotate`),
    );
    expect(rotated.webhookSecret).not.toBe(old);
    const { eventId } = await seedEvent(accountId);
    await consume([{ eventId, attempts: 1 }]);
    const got = received[0];
    if (!got) throw new Error("nothing received");
    expect(new Webhook(rotated.webhookSecret).verify(got.body, got.headers)).toBeTruthy();
    expect(new Webhook(old).verify(got.body, got.headers)).toBeTruthy();
  });
});

describe("placement", () => {
  it.each([
    "https://127.0.0.1/hook",
    "https://[::1]/hook",
    "https://0x7f000001/hook",
    "https://hooks.example.com:8443/hook",
    "https://metadata.google.internal/x",
  ])("refuses %s with invalid_webhook_url", async (webhookUrl) => {
    const { key } = await setupAccount();
    const res = await call("POST", "/v1/agent/calls", {
      token: key,
      body: { ...VALID_CALL, webhookUrl },
    });
    expect(await res.json()).toEqual({ error: "invalid_webhook_url" });
  });
});

describe("the sweeper re-sends events whose queue message was lost", () => {
  const sweep = async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
  };
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

  it("delivers a long-pending event again, continuing its attempt count, and leaves fresh ones alone", async () => {
    const received = receiver();
    const { accountId } = await setupAccount();
    const never = await seedEvent(accountId, HOOK, { createdAt: minutesAgo(20) });
    const overdue = await seedEvent(accountId, HOOK, {
      createdAt: minutesAgo(60),
      attempts: 2,
      nextAttemptAt: minutesAgo(30),
    });
    const fresh = await seedEvent(accountId, HOOK, { createdAt: minutesAgo(1) });
    const waiting = await seedEvent(accountId, HOOK, {
      createdAt: minutesAgo(60),
      attempts: 3,
      nextAttemptAt: new Date(Date.now() + 20 * 60_000).toISOString(),
    });

    await sweep();
    await expect
      .poll(
        async () => [
          (await eventRow(never.eventId))?.status,
          (await eventRow(overdue.eventId))?.status,
        ],
        {
          timeout: 10_000,
          interval: 100,
        },
      )
      .toEqual(["delivered", "delivered"]);
    expect(await attemptsOf(never.eventId)).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 200 }),
    ]);
    expect(await attemptsOf(overdue.eventId)).toEqual([
      expect.objectContaining({ attempt: 3, status_code: 200 }),
    ]);
    const ids = received.map((r) => r.headers["webhook-id"]);
    expect(ids.sort()).toEqual([never.eventId, overdue.eventId].sort());
    expect(await eventRow(fresh.eventId)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await eventRow(waiting.eventId)).toMatchObject({ status: "pending", attempts: 3 });
  });

  it("does not take a redelivery of an old event for a lost message", async () => {
    const received = receiver();
    const { accountId, key } = await setupAccount();
    const old = await seedEvent(accountId, HOOK, { createdAt: minutesAgo(60), attempts: 1 });
    await env.DB.prepare("UPDATE webhook_events SET status = 'delivered' WHERE id = ?")
      .bind(old.eventId)
      .run();
    const again = await call(
      "POST",
      `/v1/agent/calls/${old.callId}/events/${old.eventId}/redeliver`,
      { token: key },
    );
    expect(again.status).toBe(202);
    await sweep(); // before the queue has delivered the redelivery
    await expect
      .poll(async () => (await eventRow(old.eventId))?.status, { timeout: 10_000, interval: 100 })
      .toBe("delivered");
    await webhookQueueSettled(accountId);
    expect(received.filter((r) => r.headers["webhook-id"] === old.eventId)).toHaveLength(1);
  });

  it("does not send the same stalled event twice in a row", async () => {
    receiver(() => new Response(null, { status: 500 }));
    const { accountId } = await setupAccount();
    const stalled = await seedEvent(accountId, HOOK, { createdAt: minutesAgo(20) });
    // Two sweeps before the queue has delivered: the second finds the event already re-sent.
    const db = env.DB;
    await sweep();
    const first = await db
      .prepare("SELECT next_attempt_at FROM webhook_events WHERE id = ?")
      .bind(stalled.eventId)
      .first<{ next_attempt_at: string }>();
    expect(Date.parse(first?.next_attempt_at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    await sweep();
    await expect
      .poll(async () => (await attemptsOf(stalled.eventId)).length, { timeout: 10_000 })
      .toBe(1);
    // A second message would have been sent by now, and handled well before the 5 s retry.
    await webhookQueueSettled(accountId);
    expect(await attemptsOf(stalled.eventId)).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 500 }),
    ]);
  });
});
