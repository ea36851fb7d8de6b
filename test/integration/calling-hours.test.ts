/**
 * Calling hours at placement, with the injected clock (placementClock.now, read by placementDeps):
 * strict, standard and off, over REST and MCP, and the policy set through the admin API.
 */

import { exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { placementClock } from "../../src/lib/clock";
import { admin, BASE, call, json, setupAccount, VALID_CALL, waitForTerminal } from "../helpers";

/** Places a call as if it were `at`; the clock is given back as soon as the answer is in. */
async function placeAt(at: string, token: string, to: string) {
  const clock = vi.spyOn(placementClock, "now").mockReturnValue(Date.parse(at));
  try {
    return await call("POST", "/v1/agent/calls", { token, body: { ...VALID_CALL, to } });
  } finally {
    clock.mockRestore();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

// Thursday 3 December 2026, 20:30 in Miami and New York (UTC-5).
const EVENING_EAST = "2026-12-04T01:30:00Z";
const MIAMI = "+13055550123";
const NEW_YORK = "+12125550123";

describe("strict", () => {
  it("refuses Florida at 20:30 local (8 pm there) and tells when 8:00 Miami time comes", async () => {
    const { key } = await setupAccount({ callingPolicy: "strict" });
    const res = await placeAt(EVENING_EAST, key, MIAMI);
    expect(res.status).toBe(400);
    expect(res.headers.get("Next-Window-At")).toBe("2026-12-04T13:00:00.000Z");
    expect(await res.json()).toEqual({ error: "outside_calling_window" });
  });

  it("allows New York at the same instant (the federal 9 pm)", async () => {
    const { key } = await setupAccount({ callingPolicy: "strict" });
    const res = await placeAt(EVENING_EAST, key, NEW_YORK);
    expect(res.status).toBe(202);
    expect(res.headers.get("Next-Window-At")).toBeNull();
    const { callId } = await json<{ callId: string }>(res);
    await waitForTerminal(key, callId);
  });
});

describe("standard", () => {
  // Saturday 5 December 2026, 22:00 in San Francisco (UTC-8).
  const LATE_WEST = "2026-12-05T06:00:00Z";

  it("refuses at 22:00 local, the window opening at 8:00 local", async () => {
    const { key } = await setupAccount({ callingPolicy: "standard" });
    const res = await placeAt(LATE_WEST, key, VALID_CALL.to);
    expect(res.status).toBe(400);
    expect(res.headers.get("Next-Window-At")).toBe("2026-12-05T16:00:00.000Z");
    expect(await res.json()).toEqual({ error: "outside_calling_window" });
  });

  it("off allows the same call at the same instant", async () => {
    const { key } = await setupAccount({ callingPolicy: "off" });
    const res = await placeAt(LATE_WEST, key, VALID_CALL.to);
    expect(res.status).toBe(202);
    await waitForTerminal(key, (await json<{ callId: string }>(res)).callId);
  });

  it("is refused over MCP place_call with the REST body and the window as a hint", async () => {
    const { key } = await setupAccount({ callingPolicy: "standard" });
    const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
      fetch: (url, init) => exports.default.fetch(new Request(url, init)),
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    });
    const client = new Client({ name: "test-agent", version: "1.0.0" });
    await client.connect(transport);
    const clock = vi.spyOn(placementClock, "now").mockReturnValue(Date.parse(LATE_WEST));
    const result = await client.callTool({ name: "place_call", arguments: VALID_CALL });
    clock.mockRestore();
    await client.close();
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([
      { type: "text", text: '{"error":"outside_calling_window"}' },
      { type: "text", text: "The next calling window opens at 2026-12-05T16:00:00.000Z." },
    ]);
  });
});

describe("the account's policy through the admin API", () => {
  it("defaults to standard, is changed by PATCH and shown by GET", async () => {
    const created = await json<{ id: string; callingPolicy: string }>(
      await admin("POST", "/accounts", { name: "Hours" }),
    );
    expect(created.callingPolicy).toBe("standard");
    const patched = await admin("PATCH", `/accounts/${created.id}`, { callingPolicy: "strict" });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ callingPolicy: "strict", minuteCap: null });
    expect(await json(await admin("GET", `/accounts/${created.id}`))).toMatchObject({
      callingPolicy: "strict",
    });
  });

  it("refuses an unknown policy", async () => {
    const { accountId } = await setupAccount();
    const res = await admin("PATCH", `/accounts/${accountId}`, { callingPolicy: "never" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_request" });
  });

  it("applies a changed policy to the next placement", async () => {
    const { key, accountId } = await setupAccount({ callingPolicy: "off" });
    await admin("PATCH", `/accounts/${accountId}`, { callingPolicy: "strict" });
    const res = await placeAt(EVENING_EAST, key, MIAMI);
    expect(res.status).toBe(400);
  });
});
