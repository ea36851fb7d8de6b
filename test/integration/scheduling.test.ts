/**
 * Scheduled calls (issue 17): accepted as `queued` with `scheduledFor`, dialed by their Durable
 * Object's alarm when due, with the guardrails checked again then; cancel, the queued list, MCP,
 * and the `invalid_schedule` cases. The clocks are injected (placementClock for placement,
 * systemClock for the call's session).
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { placementClock, systemClock } from "../../src/lib/clock";
import { BASE, call, getCall, json, setupAccount, VALID_CALL, waitForTerminal } from "../helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

const HOUR_MS = 60 * 60 * 1000;
const stubOf = (id: string) => env.CALL_SESSION.get(env.CALL_SESSION.idFromName(id));

/** Places a call as if it were `at` (placement and the call's session read the same instant). */
async function placeAt(at: number, token: string, body: Record<string, unknown>) {
  const clocks = [
    vi.spyOn(placementClock, "now").mockReturnValue(at),
    vi.spyOn(systemClock, "now").mockReturnValue(at),
  ];
  try {
    return await call("POST", "/v1/agent/calls", { token, body: { ...VALID_CALL, ...body } });
  } finally {
    for (const c of clocks) c.mockRestore();
  }
}

/** Fires the call's alarm as if it were `at`. */
async function alarmAt(id: string, at: number) {
  const clock = vi.spyOn(systemClock, "now").mockReturnValue(at);
  try {
    return await runDurableObjectAlarm(stubOf(id));
  } finally {
    clock.mockRestore();
  }
}

// Thursday 3 December 2026, 20:30 in Miami (UTC-5): outside Florida's 8 pm end under strict.
const EVENING_EAST = Date.parse("2026-12-04T01:30:00Z");
const MIAMI = "+13055550123";

describe("a call scheduled into the calling window", () => {
  it("is accepted instead of refused, listed as queued, and can be canceled", async () => {
    const { key } = await setupAccount({ callingPolicy: "strict" });
    const res = await placeAt(EVENING_EAST, key, {
      to: MIAMI,
      schedule: { inCallingWindow: true },
    });
    expect(res.status).toBe(202);
    const placed = await json<{ callId: string; status: string; scheduledFor: string }>(res);
    expect(placed).toMatchObject({ status: "queued", scheduledFor: "2026-12-04T13:00:00.000Z" });

    const record = await getCall(key, placed.callId);
    expect(record).toMatchObject({ status: "queued", scheduledFor: "2026-12-04T13:00:00.000Z" });
    const queued = await json<{ calls: { id: string; scheduledFor: string | null }[] }>(
      await call("GET", "/v1/agent/calls?status=queued", { token: key }),
    );
    expect(queued.calls).toEqual([
      expect.objectContaining({ id: placed.callId, scheduledFor: "2026-12-04T13:00:00.000Z" }),
    ]);

    const canceled = await call("POST", `/v1/agent/calls/${placed.callId}/cancel`, { token: key });
    expect(canceled.status).toBe(202);
    const ended = await waitForTerminal(key, placed.callId);
    expect(ended).toMatchObject({ status: "failed", error: "canceled", startedAt: null });
  });

  it("moves a notBefore outside the window to the window's opening", async () => {
    const { key } = await setupAccount({ callingPolicy: "strict" });
    const res = await placeAt(EVENING_EAST, key, {
      to: MIAMI,
      schedule: { notBefore: "2026-12-04T02:00:00Z" },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ scheduledFor: "2026-12-04T13:00:00.000Z" });
  });
});

describe("when it is due", () => {
  it("is dialed by its alarm, and not before", async () => {
    const { key } = await setupAccount();
    const now = Date.now();
    const notBefore = new Date(now + HOUR_MS).toISOString();
    const res = await placeAt(now, key, { schedule: { notBefore } });
    const { callId, scheduledFor } = await json<{ callId: string; scheduledFor: string }>(res);
    expect(scheduledFor).toBe(notBefore);

    await alarmAt(callId, now + HOUR_MS - 1000);
    expect((await getCall(key, callId)).status).toBe("queued");
    await alarmAt(callId, now + HOUR_MS + 1);
    const ended = await waitForTerminal(key, callId);
    expect(ended).toMatchObject({ status: "completed", scheduledFor: notBefore });
  });

  it("ends failed / do_not_call when the number was added to the list meanwhile", async () => {
    const { key } = await setupAccount();
    const now = Date.now();
    const res = await placeAt(now, key, {
      schedule: { notBefore: new Date(now + HOUR_MS).toISOString() },
    });
    const { callId } = await json<{ callId: string }>(res);
    const listed = await call("POST", "/v1/agent/dnc", {
      token: key,
      body: { number: VALID_CALL.to },
    });
    expect(listed.status).toBe(201);

    await alarmAt(callId, now + HOUR_MS + 1);
    const ended = await waitForTerminal(key, callId);
    expect(ended).toMatchObject({ status: "failed", error: "do_not_call", startedAt: null });
  });

  it("holds no minute until due, then ends failed / over_minute_cap when none is left", async () => {
    const { key } = await setupAccount({ minuteCap: 1 });
    const now = Date.now();
    const res = await placeAt(now, key, {
      schedule: { notBefore: new Date(now + HOUR_MS).toISOString() },
    });
    const { callId } = await json<{ callId: string }>(res);
    // The scheduled call holds no minute: another call can still be placed under a cap of 1.
    const other = await call("POST", "/v1/agent/calls", {
      token: key,
      body: { ...VALID_CALL, to: "+14155550105" },
    });
    expect(other.status).toBe(202);
    const otherId = (await json<{ callId: string }>(other)).callId;

    await alarmAt(callId, now + HOUR_MS + 1);
    const ended = await waitForTerminal(key, callId);
    expect(ended).toMatchObject({ status: "failed", error: "over_minute_cap", startedAt: null });
    await call("POST", `/v1/agent/calls/${otherId}/cancel`, { token: key });
    await waitForTerminal(key, otherId);
  });
});

describe("invalid_schedule", () => {
  const cases: [string, unknown][] = [
    ["more than 30 days ahead", { notBefore: "2027-02-01T00:00:00Z" }],
    ["a notBefore that is not ISO 8601", { notBefore: "tomorrow" }],
    ["inCallingWindow other than true", { inCallingWindow: false }],
    ["an unknown member", { notBefore: "2026-12-05T00:00:00Z", every: "day" }],
    ["not an object", "tomorrow"],
  ];
  it.each(cases)("refuses %s", async (_, schedule) => {
    const { key } = await setupAccount();
    const res = await placeAt(EVENING_EAST, key, { schedule });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_schedule" });
  });

  it("refuses a window that opens more than 30 days ahead only by its date, not the policy", async () => {
    const { key } = await setupAccount({ callingPolicy: "strict" });
    const res = await placeAt(EVENING_EAST, key, {
      to: MIAMI,
      schedule: { notBefore: "2027-01-03T01:00:00Z", inCallingWindow: true },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_schedule" });
  });
});

describe("MCP place_call", () => {
  it("takes the same schedule and answers scheduledFor", async () => {
    const { key } = await setupAccount({ callingPolicy: "strict" });
    const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
      fetch: (url, init) => exports.default.fetch(new Request(url, init)),
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    });
    const client = new Client({ name: "test-agent", version: "1.0.0" });
    await client.connect(transport);
    const clocks = [
      vi.spyOn(placementClock, "now").mockReturnValue(EVENING_EAST),
      vi.spyOn(systemClock, "now").mockReturnValue(EVENING_EAST),
    ];
    const result = await client.callTool({
      name: "place_call",
      arguments: { ...VALID_CALL, to: MIAMI, schedule: { inCallingWindow: true } },
    });
    for (const c of clocks) c.mockRestore();
    await client.close();
    expect(result.isError).toBeFalsy();
    const [first] = result.content as { type: string; text: string }[];
    const placed = JSON.parse(first?.text ?? "{}") as { callId: string; scheduledFor: string };
    expect(placed.scheduledFor).toBe("2026-12-04T13:00:00.000Z");
    await call("POST", `/v1/agent/calls/${placed.callId}/cancel`, { token: key });
  });
});

describe("the frequency cap under a burst", () => {
  it("admits exactly the cap's calls to one number when placements race", async () => {
    const { key } = await setupAccount({ maxCallsPerNumberPerDay: 3 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        call("POST", "/v1/agent/calls", {
          token: key,
          body: { ...VALID_CALL, to: "+14155550107" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    for (const res of results) {
      const body = await json<{ callId?: string; error?: string }>(res);
      if (res.status === 429) {
        expect(body).toEqual({ error: "destination_frequency_capped" });
        expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
      } else if (body.callId) {
        await call("POST", `/v1/agent/calls/${body.callId}/cancel`, { token: key });
      }
    }
  });
});
