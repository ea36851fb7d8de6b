/**
 * Idempotency, the per-key rate limit under concurrent bursts, the minute cap, and storage
 * failures — all through POST /v1/agent/calls.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { call, json, setupAccount, VALID_CALL } from "../helpers";

const place = (token: string, body: unknown, idempotencyKey?: string) =>
  call("POST", "/v1/agent/calls", {
    token,
    body,
    headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
  });

async function callCount(accountId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM calls WHERE account_id = ?")
    .bind(accountId)
    .first<{ n: number }>();
  return row?.n ?? -1;
}

describe("Idempotency-Key", () => {
  it("replays the original response for the same key and body, placing nothing more", async () => {
    const { key, accountId } = await setupAccount();
    const first = await place(key, VALID_CALL, "order-1");
    expect(first.status).toBe(202);
    const original = await json(first);
    // Same body with keys in another order is the same request.
    const again = await place(
      key,
      { objective: VALID_CALL.objective, to: VALID_CALL.to },
      "order-1",
    );
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await json(again)).toEqual(original);
    expect(await callCount(accountId)).toBe(1);
  });

  it("422 idempotency_key_reused for the same key with another body", async () => {
    const { key, accountId } = await setupAccount();
    expect((await place(key, VALID_CALL, "k")).status).toBe(202);
    const res = await place(key, { ...VALID_CALL, objective: "Something else" }, "k");
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: "idempotency_key_reused" });
    expect(await callCount(accountId)).toBe(1);
  });

  it("keys are per account", async () => {
    const a = await setupAccount();
    const b = await setupAccount();
    const ra = await json(await place(a.key, VALID_CALL, "shared"));
    const rb = await json(await place(b.key, VALID_CALL, "shared"));
    expect(ra.callId).not.toBe(rb.callId);
  });

  it("409 idempotency_key_in_use while the first request is in flight", async () => {
    const { key, accountId } = await setupAccount();
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (account_id, key, fingerprint, state, created_at) VALUES (?, 'busy', 'x', 'pending', ?)",
    )
      .bind(accountId, new Date().toISOString())
      .run();
    const res = await place(key, VALID_CALL, "busy");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: "idempotency_key_in_use" });
    expect(await callCount(accountId)).toBe(0);
  });

  it("a concurrent burst with one key places exactly one call", async () => {
    const { key, accountId } = await setupAccount();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => place(key, VALID_CALL, "burst")),
    );
    const bodies = await Promise.all(
      responses.map((r) => r.json() as Promise<Record<string, unknown>>),
    );
    const accepted = responses.flatMap((r, i) => (r.status === 202 ? [bodies[i]] : []));
    const refused = responses.flatMap((r, i) => (r.status === 202 ? [] : [[r.status, bodies[i]]]));
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((b) => b?.callId)).size).toBe(1);
    for (const r of refused) expect(r).toEqual([409, { error: "idempotency_key_in_use" }]);
    expect(await callCount(accountId)).toBe(1);
  });

  it("expires after 24 hours", async () => {
    const { key, accountId } = await setupAccount();
    const first = await json(await place(key, VALID_CALL, "old"));
    await env.DB.prepare("UPDATE idempotency_keys SET created_at = ? WHERE account_id = ?")
      .bind(new Date(Date.now() - 25 * 3600_000).toISOString(), accountId)
      .run();
    const second = await json(await place(key, VALID_CALL, "old"));
    expect(second.callId).not.toBe(first.callId);
    expect(await callCount(accountId)).toBe(2);
  });

  it("a rejected request leaves the key free for a corrected retry", async () => {
    const { key } = await setupAccount();
    const bad = await place(key, { ...VALID_CALL, to: "+33612345678" }, "retry-me");
    expect(await bad.json()).toEqual({ error: "destination_blocked" });
    expect((await place(key, VALID_CALL, "retry-me")).status).toBe(202);
  });

  it("400 invalid_idempotency_key for an empty or oversized key", async () => {
    const { key } = await setupAccount();
    for (const k of ["x".repeat(256), "has space"]) {
      const res = await place(key, VALID_CALL, k);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "invalid_idempotency_key" });
    }
  });
});

describe("rate limit per key", () => {
  it("is exact under a concurrent burst: the (N+1)th gets 429 rate_limited with Retry-After", async () => {
    const { key, accountId } = await setupAccount({ rateLimit: 5 });
    const responses = await Promise.all(Array.from({ length: 12 }, () => place(key, VALID_CALL)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    for (const r of responses.filter((x) => x.status === 429)) {
      expect(await r.json()).toEqual({ error: "rate_limited" });
      const retryAfter = Number(r.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    expect(await callCount(accountId)).toBe(5);
  });

  it("counts per key, and invalid requests do not use the allowance", async () => {
    const { key, accountId } = await setupAccount({ rateLimit: 2 });
    for (let i = 0; i < 5; i++) await place(key, { ...VALID_CALL, to: "+33612345678" });
    expect((await place(key, VALID_CALL)).status).toBe(202);
    expect((await place(key, VALID_CALL)).status).toBe(202);
    expect((await place(key, VALID_CALL)).status).toBe(429);
    const other = await setupAccount({ rateLimit: 2 });
    expect((await place(other.key, VALID_CALL)).status).toBe(202);
    expect(await callCount(accountId)).toBe(2);
  });
});

describe("minute cap per billing period", () => {
  async function seedAnsweredCall(accountId: string, startedAt: string, durationSec: number) {
    await env.DB.prepare(
      `INSERT INTO calls (id, account_id, api_key_id, "to", caller_id, objective, voice, language, language_source, status, created_at, started_at, ended_at, duration_sec)
       VALUES (?, ?, 'key_x', '+14155550123', '+12025550143', 'seed', 'Aoede', 'en-US', 'explicit', 'completed', ?, ?, ?, ?)`,
    )
      .bind(crypto.randomUUID(), accountId, startedAt, startedAt, startedAt, durationSec)
      .run();
  }

  it("429 over_minute_cap once answered minutes reach the cap", async () => {
    const { key, accountId } = await setupAccount({ minuteCap: 3 });
    await seedAnsweredCall(accountId, new Date().toISOString(), 61); // 2 minutes
    expect((await place(key, VALID_CALL)).status).toBe(202);
    await seedAnsweredCall(accountId, new Date().toISOString(), 30); // 3 minutes
    const res = await place(key, VALID_CALL);
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: "over_minute_cap" });
    expect(await callCount(accountId)).toBe(3);
  });

  it("counts only the current period, and a cap of 0 allows nothing", async () => {
    const { key, accountId } = await setupAccount({ minuteCap: 1 });
    await seedAnsweredCall(accountId, "2020-01-01T00:00:00.000Z", 600);
    expect((await place(key, VALID_CALL)).status).toBe(202);
    const zero = await setupAccount({ minuteCap: 0 });
    expect(await json(await place(zero.key, VALID_CALL))).toEqual({ error: "over_minute_cap" });
  });
});

describe("minute cap at admission: placement holds minutes before anything is dialed", () => {
  const RINGS = "+14155550107"; // the carrier accepts it and never answers

  const heldSec = async (accountId: string) =>
    (
      await env.DB.prepare(
        "SELECT coalesce(sum(reserved_sec), 0) AS s FROM calls WHERE account_id = ? AND status IN ('queued', 'dialing', 'in_progress')",
      )
        .bind(accountId)
        .first<{ s: number }>()
    )?.s;

  it("a 50-way burst against a 1-minute cap admits exactly one call; the rest are 429 and leave no row", async () => {
    const { key, accountId } = await setupAccount({ minuteCap: 1 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => place(key, { ...VALID_CALL, to: RINGS })),
    );
    const bodies = await Promise.all(
      responses.map((r) => r.json() as Promise<Record<string, unknown>>),
    );
    const accepted = bodies.filter((_, i) => responses[i]?.status === 202);
    const refused = responses.flatMap((r, i) => (r.status === 202 ? [] : [[r.status, bodies[i]]]));
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r).toEqual([429, { error: "over_minute_cap" }]);
    const rows = await env.DB.prepare("SELECT id FROM calls WHERE account_id = ?")
      .bind(accountId)
      .all<{ id: string }>();
    expect(rows.results.map((r) => r.id)).toEqual([accepted[0]?.callId]);
    expect(await heldSec(accountId)).toBe(60);
    await call("POST", `/v1/agent/calls/${accepted[0]?.callId}/cancel`, { token: key });
  });

  it("a burst admits exactly as many calls as the cap's minutes", async () => {
    const { key, accountId } = await setupAccount({ minuteCap: 3 });
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => place(key, { ...VALID_CALL, to: RINGS })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    expect(await callCount(accountId)).toBe(3);
    const ids = await env.DB.prepare("SELECT id FROM calls WHERE account_id = ?")
      .bind(accountId)
      .all<{ id: string }>();
    for (const { id } of ids.results)
      await call("POST", `/v1/agent/calls/${id}/cancel`, { token: key });
  });

  it("a call that ends unanswered releases its hold, and a refused Idempotency-Key stays free", async () => {
    const { key, accountId } = await setupAccount({ minuteCap: 1 });
    const first = await json<{ callId: string }>(await place(key, { ...VALID_CALL, to: RINGS }));
    const refused = await place(key, { ...VALID_CALL, to: RINGS }, "after-cancel");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: "over_minute_cap" });
    const canceled = await call("POST", `/v1/agent/calls/${first.callId}/cancel`, { token: key });
    expect(await canceled.json()).toMatchObject({ status: "failed", error: "canceled" });
    expect(await heldSec(accountId)).toBe(0);
    const retried = await place(key, { ...VALID_CALL, to: RINGS }, "after-cancel");
    expect(retried.status).toBe(202);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    const second = await json<{ callId: string }>(retried);
    await call("POST", `/v1/agent/calls/${second.callId}/cancel`, { token: key });
  });
});

describe("storage failure", () => {
  it("logs what failed and why, never the request's values", async () => {
    const { key } = await setupAccount({ numbers: ["+12025550199"] });
    const logs: string[] = [];
    for (const level of ["error", "warn", "info", "log"] as const) {
      const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logs.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      });
      onTestFinished(() => spy.mockRestore());
    }
    await env.DB.exec("ALTER TABLE calls RENAME TO calls_away");
    onTestFinished(async () => {
      await env.DB.exec("ALTER TABLE calls_away RENAME TO calls");
    });
    const secrets = {
      to: "+14155550177",
      callerId: "+12025550199",
      objective: "Ask about the SECRET-OBJECTIVE-7731 appointment.",
      context: "Patient SECRET-CONTEXT-9921, born 1970-01-01.",
      webhookUrl: "https://hooks.example.com/bys?token=SECRET-QUERY-TOKEN-4410",
    };
    const res = await call("POST", "/v1/agent/calls", { token: key, body: secrets });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "store_error" });
    const failure = logs.find((line) => line.includes("request failed"));
    expect(failure).toContain("store_error");
    // What failed is named (the statement's kind and table, and the storage error's code) …
    expect(failure).toMatch(/no such table/);
    // … but none of the request's values reach the log.
    for (const line of logs)
      for (const value of [
        secrets.to,
        "14155550177",
        secrets.callerId,
        "SECRET-OBJECTIVE-7731",
        "SECRET-CONTEXT-9921",
        "SECRET-QUERY-TOKEN-4410",
      ])
        expect(line).not.toContain(value);
  });

  it("503 store_error, and no half-written idempotency record is left", async () => {
    const { key, accountId } = await setupAccount();
    // The calls table goes away for this test only (renamed back afterwards).
    await env.DB.exec("ALTER TABLE calls RENAME TO calls_away");
    onTestFinished(async () => {
      await env.DB.exec("ALTER TABLE calls_away RENAME TO calls");
    });
    const res = await place(key, VALID_CALL, "during-outage");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "store_error" });
    const left = await env.DB.prepare(
      "SELECT count(*) AS n FROM idempotency_keys WHERE account_id = ?",
    )
      .bind(accountId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const read = await call("GET", "/v1/agent/calls", { token: key });
    expect(read.status).toBe(503);
    expect(await read.json()).toEqual({ error: "store_error" });
  });
});
