/**
 * The per-account do-not-call list (/v1/agent/dnc and /admin/accounts/{id}/dnc), the placement
 * guardrail on it, and the per-number frequency cap — all through the public API.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { placementClock } from "../../src/lib/clock";
import { admin, call, json, setupAccount, VALID_CALL, waitForTerminal } from "../helpers";

type Entry = { number: string; reason: string | null; source: string; createdAt: string };
type Page = { entries: Entry[]; nextCursor: string | null };

const dnc = (token: string, method: string, path = "", body?: unknown) =>
  call(method, `/v1/agent/dnc${path}`, { token, body });
const place = (token: string, body: unknown = VALID_CALL) =>
  call("POST", "/v1/agent/calls", { token, body });

async function callCount(accountId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM calls WHERE account_id = ?")
    .bind(accountId)
    .first<{ n: number }>();
  return row?.n ?? -1;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("/v1/agent/dnc", () => {
  it("adds (201, then 200 idempotently), lists and removes (204, then 404)", async () => {
    const { key } = await setupAccount();
    const added = await dnc(key, "POST", "", { number: "+1 (415) 555-0123", reason: "asked" });
    // Not E.164 as written: the agent API wants E.164.
    expect(added.status).toBe(400);
    expect(await added.json()).toEqual({ error: "invalid_number" });

    const first = await dnc(key, "POST", "", { number: "+14155550123", reason: "asked" });
    expect(first.status).toBe(201);
    const entry = await json<Entry>(first);
    expect(entry).toEqual({
      number: "+14155550123",
      reason: "asked",
      source: "api",
      createdAt: expect.stringMatching(/Z$/),
    });
    const again = await dnc(key, "POST", "", { number: "+14155550123", reason: "other" });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(entry);

    const list = await json<Page>(await dnc(key, "GET"));
    expect(list).toEqual({ entries: [entry], nextCursor: null });

    const removed = await dnc(key, "DELETE", `/${encodeURIComponent("+14155550123")}`);
    expect(removed.status).toBe(204);
    const gone = await dnc(key, "DELETE", `/${encodeURIComponent("+14155550123")}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: "not_found" });
    expect((await json<Page>(await dnc(key, "GET"))).entries).toEqual([]);
  });

  it("400 invalid_number for a number that is not valid E.164, on add and remove", async () => {
    const { key } = await setupAccount();
    for (const number of ["14155550123", "+1415", "+999123456789", 14155550123]) {
      const res = await dnc(key, "POST", "", { number });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "invalid_number" });
    }
    const res = await dnc(key, "DELETE", "/not-a-number");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_number" });
    const long = await dnc(key, "POST", "", { number: "+14155550123", reason: "x".repeat(501) });
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({ error: "invalid_request" });
  });

  it("pages most recent first with nextCursor; bad limit or cursor → 400", async () => {
    const { key } = await setupAccount();
    const numbers = Array.from({ length: 5 }, (_, i) => `+1415555020${i}`);
    for (const number of numbers) expect((await dnc(key, "POST", "", { number })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page: Page = await json<Page>(await dnc(key, "GET", q));
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries.map((e) => e.number));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(new Set(numbers));
    expect(seen).toHaveLength(5);
    const all = await json<Page>(await dnc(key, "GET"));
    const times = all.entries.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    for (const [q, token] of [
      ["?limit=0", "invalid_limit"],
      ["?limit=101", "invalid_limit"],
      ["?cursor=nope", "invalid_cursor"],
    ] as const) {
      const res = await dnc(key, "GET", q);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: token });
    }
  });

  it("needs an API key", async () => {
    const res = await call("GET", "/v1/agent/dnc");
    expect(res.status).toBe(401);
  });

  it("is per account: another account's list is invisible and does not block its calls", async () => {
    const a = await setupAccount();
    const b = await setupAccount();
    expect((await dnc(a.key, "POST", "", { number: VALID_CALL.to })).status).toBe(201);
    expect((await json<Page>(await dnc(b.key, "GET"))).entries).toEqual([]);
    const removeOther = await dnc(b.key, "DELETE", `/${encodeURIComponent(VALID_CALL.to)}`);
    expect(removeOther.status).toBe(404);
    expect((await place(b.key)).status).toBe(202);
    expect((await place(a.key)).status).toBe(400);
  });
});

describe("placement to a listed number", () => {
  it("400 do_not_call, no call row, and the rate limit is not spent", async () => {
    const { key, accountId } = await setupAccount({ rateLimit: 1 });
    expect((await dnc(key, "POST", "", { number: VALID_CALL.to })).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const res = await place(key);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "do_not_call" });
    }
    expect(await callCount(accountId)).toBe(0);
    // The one slot of the minute is still free.
    expect((await place(key, { ...VALID_CALL, to: "+14155550124" })).status).toBe(202);
  });

  it("the reference's validation and destination rules come first", async () => {
    const { key } = await setupAccount();
    expect((await dnc(key, "POST", "", { number: VALID_CALL.to })).status).toBe(201);
    const res = await place(key, { to: VALID_CALL.to });
    expect(await res.json()).toEqual({ error: "objective_required" });
  });

  it("MCP place_call uses the same rule", async () => {
    const { key } = await setupAccount();
    expect((await dnc(key, "POST", "", { number: VALID_CALL.to })).status).toBe(201);
    const res = await call("POST", "/mcp", {
      token: key,
      headers: { accept: "application/json, text/event-stream" },
      body: {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "place_call", arguments: VALID_CALL },
      },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('{\\"error\\":\\"do_not_call\\"}');
  });
});

describe("admin API", () => {
  it("adds with source admin (or recipient_request), lists and removes; 404 for no account", async () => {
    const { accountId, key } = await setupAccount();
    const added = await admin("POST", `/accounts/${accountId}/dnc`, {
      number: "+14155550123",
      reason: "complaint",
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ number: "+14155550123", source: "admin" });
    const asked = await admin("POST", `/accounts/${accountId}/dnc`, {
      number: "+14155550124",
      source: "recipient_request",
    });
    expect(await asked.json()).toMatchObject({ source: "recipient_request", reason: null });
    const page = await json<Page>(await admin("GET", `/accounts/${accountId}/dnc?limit=1`));
    expect(page.entries).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    // The agent API sees the same list.
    expect((await json<Page>(await dnc(key, "GET"))).entries).toHaveLength(2);
    const removed = await admin("DELETE", `/accounts/${accountId}/dnc/%2B14155550124`);
    expect(removed.status).toBe(204);
    expect((await admin("GET", "/accounts/acct_nope/dnc")).status).toBe(404);
    const invalid = await admin("POST", `/accounts/${accountId}/dnc`, { number: "+1415" });
    expect(await invalid.json()).toEqual({ error: "invalid_number" });
  });

  it("update-account sets maxCallsPerNumberPerDay (default 3), keeping the minute cap", async () => {
    const created = await admin("POST", "/accounts", { name: "freq", minuteCap: 50 });
    const { id: accountId } = await json<{ id: string }>(created);
    const before = await json(await admin("GET", `/accounts/${accountId}`));
    expect(before).toMatchObject({ maxCallsPerNumberPerDay: 3, minuteCap: 50 });
    const res = await admin("PATCH", `/accounts/${accountId}`, { maxCallsPerNumberPerDay: 5 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ maxCallsPerNumberPerDay: 5, minuteCap: 50 });
    const bad = await admin("PATCH", `/accounts/${accountId}`, { maxCallsPerNumberPerDay: 0 });
    expect(bad.status).toBe(400);
  });
});

describe("per-number frequency cap", () => {
  it("the 4th dialed call to a number in 24 h → 429 with Retry-After; other numbers go through", async () => {
    const { key, accountId } = await setupAccount({ maxCallsPerNumberPerDay: 3 });
    const t0 = Date.now();
    const clock = vi.spyOn(placementClock, "now");
    const ids: string[] = [];
    for (const hour of [0, 1, 2]) {
      clock.mockReturnValue(t0 + hour * 3600_000);
      const res = await place(key);
      expect(res.status).toBe(202);
      ids.push((await json<{ callId: string }>(res)).callId);
    }
    for (const id of ids) expect((await waitForTerminal(key, id)).status).toBe("completed");

    clock.mockReturnValue(t0 + 3 * 3600_000);
    const capped = await place(key);
    expect(capped.status).toBe(429);
    expect(await capped.json()).toEqual({ error: "destination_frequency_capped" });
    // The first call (t0) leaves the window 21 hours from now.
    expect(Number(capped.headers.get("retry-after"))).toBe(21 * 3600);
    expect((await place(key, { ...VALID_CALL, to: "+14155550124" })).status).toBe(202);

    clock.mockReturnValue(t0 + 24 * 3600_000 + 1000);
    expect((await place(key)).status).toBe(202);
    expect(await callCount(accountId)).toBe(5);
  });

  it("calls still queued or live count; calls the carrier never took do not", async () => {
    const { key } = await setupAccount({ maxCallsPerNumberPerDay: 1 });
    // The carrier refuses +14155550103: failed/placement_failed, never dialed.
    const refused = { ...VALID_CALL, to: "+14155550103" };
    for (let i = 0; i < 2; i++) {
      const res = await place(key, refused);
      expect(res.status).toBe(202);
      const { callId } = await json<{ callId: string }>(res);
      expect(await waitForTerminal(key, callId)).toMatchObject({ error: "placement_failed" });
    }
    // A call just placed counts at once, so a burst cannot overrun the cap.
    expect((await place(key)).status).toBe(202);
    const res = await place(key);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(86_000);
  });
});
