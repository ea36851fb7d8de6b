/**
 * The MCP server at /mcp, driven by the official SDK's Client over Streamable HTTP, against the
 * Worker with the simulated carrier and voice model.
 */

import { exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { admin, BASE, call, json, setupAccount } from "../helpers";

async function connect(token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: (url, init) => exports.default.fetch(new Request(url, init)),
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
  });
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

type Text = { type: string; text: string };
const payload = (result: unknown) =>
  JSON.parse(((result as { content: Text[] }).content[0] as Text).text);

describe("MCP over Streamable HTTP", () => {
  it("lists the tools with schemas from the API's zod schemas and honest annotations", async () => {
    const { key } = await setupAccount();
    const client = await connect(key);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "answer_question",
      "cancel_call",
      "get_call",
      "list_calls",
      "place_call",
      "wait_for_call",
    ]);
    const place = tools.find((t) => t.name === "place_call");
    expect(Object.keys(place?.inputSchema.properties ?? {})).toEqual([
      "to",
      "objective",
      "context",
      "fields",
      "webhookUrl",
      "callerId",
      "voice",
      "language",
      "schedule",
      "onBehalfOf",
      "voicemail",
      "maxHoldSec",
      "transferTo",
      "transferWhen",
      "questions",
      "liveEvents",
    ]);
    expect(place?.inputSchema.required).toEqual(["to", "objective"]);
    expect(place?.description).toMatch(/E\.164/);
    expect(tools.find((t) => t.name === "get_call")?.annotations).toMatchObject({
      readOnlyHint: true,
    });
    expect(tools.find((t) => t.name === "wait_for_call")?.annotations).toMatchObject({
      readOnlyHint: true,
    });
    expect(tools.find((t) => t.name === "cancel_call")?.annotations).toMatchObject({
      destructiveHint: true,
    });
    expect(tools.find((t) => t.name === "list_calls")?.annotations).toMatchObject({
      readOnlyHint: true,
    });
    expect(place?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      openWorldHint: true,
    });
    const wait = tools.find((t) => t.name === "wait_for_call");
    expect(wait?.inputSchema.properties?.timeoutSec).toMatchObject({ maximum: 300 });
    expect(wait?.inputSchema.required).toEqual(["callId"]);
    await client.close();
  });

  it("places a call, waits for it, reads it, lists it: the same records as REST", async () => {
    const { key } = await setupAccount();
    const client = await connect(key);
    const placed = payload(
      await client.callTool({
        name: "place_call",
        arguments: {
          to: "+14155550123",
          objective: "Book a table for 4 at 7 PM Friday.",
          fields: [{ name: "contact_name" }],
        },
      }),
    );
    expect(placed).toMatchObject({
      callId: expect.any(String),
      status: "queued",
      language: "en-US",
      voice: "Aoede",
    });
    const done = await client.callTool({
      name: "wait_for_call",
      arguments: { callId: placed.callId, timeoutSec: 20 },
    });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({
      id: placed.callId,
      status: "completed",
      timedOut: false,
      extracted: { contact_name: "Smith" },
      transcript: expect.stringContaining("recipient:"),
    });
    const got = await client.callTool({ name: "get_call", arguments: { callId: placed.callId } });
    const rest = await (
      await call("GET", `/v1/agent/calls/${placed.callId}`, { token: key })
    ).json();
    expect(got.structuredContent).toEqual(rest);
    const list = payload(await client.callTool({ name: "list_calls", arguments: { limit: 5 } }));
    expect(list.calls.map((c: { id: string }) => c.id)).toEqual([placed.callId]);
    const cancel = await client.callTool({
      name: "cancel_call",
      arguments: { callId: placed.callId },
    });
    expect(cancel.isError).toBe(true);
    expect(payload(cancel)).toEqual({ error: "call_already_ended" });
    await client.close();
  });

  it("guardrail and validation failures are tool errors with the REST tokens", async () => {
    const { key } = await setupAccount();
    const client = await connect(key);
    for (const [args, token] of [
      [{ to: "+18765230123", objective: "Hi" }, "destination_blocked"],
      [{ to: "+14155550123" }, "objective_required"],
      [{ objective: "Hi" }, "to_required"],
      [
        { to: "+14155550123", objective: "Hi", fields: [{ name: "a" }, { name: "a" }] },
        "invalid_fields",
      ],
    ] as const) {
      const result = await client.callTool({ name: "place_call", arguments: args });
      expect(result.isError).toBe(true);
      expect(payload(result)).toEqual({ error: token });
    }
    const other = await setupAccount();
    const otherCall = await (
      await call("POST", "/v1/agent/calls", {
        token: other.key,
        body: { to: "+14155550107", objective: "Hi there" },
      })
    ).json<{ callId: string }>();
    for (const name of ["get_call", "wait_for_call", "cancel_call"]) {
      const result = await client.callTool({ name, arguments: { callId: otherCall.callId } });
      expect(result.isError).toBe(true);
      expect(payload(result)).toEqual({ error: "not_found" });
    }
    for (const [args, token] of [
      [{ limit: 0 }, "invalid_limit"],
      [{ status: ["ringing"] }, "invalid_status"],
      [{ cursor: "not-a-cursor" }, "invalid_cursor"],
    ] as const) {
      expect(payload(await client.callTool({ name: "list_calls", arguments: args }))).toEqual({
        error: token,
      });
    }
    await expect(client.callTool({ name: "hang_up", arguments: {} })).rejects.toThrow(
      /Tool hang_up not found/,
    );
    await client.close();
  });

  it("draws on the key's rate limit like REST", async () => {
    const { key } = await setupAccount({ rateLimit: 1 });
    const client = await connect(key);
    const args = { to: "+14155550107", objective: "Ask for Bob." };
    const first = await client.callTool({ name: "place_call", arguments: args });
    expect(first.isError).toBeFalsy();
    const second = await client.callTool({ name: "place_call", arguments: args });
    expect(second.isError).toBe(true);
    expect(payload(second)).toEqual({ error: "rate_limited" });
    const rest = await call("POST", "/v1/agent/calls", { token: key, body: args });
    expect(rest.status).toBe(429);
    // An agent learns when to try again, as a REST client does from Retry-After.
    const retryAfter = Number(rest.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    const hint = ((second as { content: Text[] }).content[1] as Text).text;
    expect(hint).toMatch(/^Retry after \d+ seconds\.$/);
    expect(Math.abs(Number(hint.match(/\d+/)?.[0]) - retryAfter)).toBeLessThanOrEqual(1);
    await client.close();
  });

  it("wait_for_call gives up after its timeout with the call as it is", async () => {
    const { key } = await setupAccount();
    const client = await connect(key);
    const placed = payload(
      await client.callTool({
        name: "place_call",
        arguments: { to: "+14155550107", objective: "Ask for Bob." },
      }),
    );
    const waited = await client.callTool({
      name: "wait_for_call",
      arguments: { callId: placed.callId, timeoutSec: 1 },
    });
    expect(waited.structuredContent).toMatchObject({ status: "dialing", timedOut: true });
    await client.close();
  });

  it("wait_for_call: at most 5 waits at once per key; a 6th is rate_limited with a retry hint", async () => {
    const { key, accountId } = await setupAccount();
    const client = await connect(key);
    const placed = payload(
      await client.callTool({
        name: "place_call",
        arguments: { to: "+14155550107", objective: "Ask for Bob." },
      }),
    );
    const wait = () =>
      client.callTool({
        name: "wait_for_call",
        arguments: { callId: placed.callId, timeoutSec: 2 },
      });
    const results = await Promise.all(Array.from({ length: 6 }, wait));
    const waited = results.filter((r) => !r.isError);
    const refused = results.filter((r) => r.isError);
    expect(waited).toHaveLength(5);
    for (const r of waited) expect(r.structuredContent).toMatchObject({ timedOut: true });
    expect(refused).toHaveLength(1);
    expect(payload(refused[0])).toEqual({ error: "rate_limited" });
    const hint = ((refused[0] as { content: Text[] }).content[1] as Text).text;
    expect(hint).toMatch(/^Retry after \d+ seconds\.$/);
    // Another key of the same account has its own allowance.
    const created = await admin("POST", `/accounts/${accountId}/keys`, { rateLimit: 1000 });
    const other = await connect((await json<{ key: string }>(created)).key);
    const meanwhile = other.callTool({
      name: "wait_for_call",
      arguments: { callId: placed.callId, timeoutSec: 1 },
    });
    // Finished waits give their place back.
    const again = await wait();
    expect(again.structuredContent).toMatchObject({ timedOut: true });
    expect((await meanwhile).structuredContent).toMatchObject({ timedOut: true });
    await client.callTool({ name: "cancel_call", arguments: { callId: placed.callId } });
    await client.close();
    await other.close();
  });

  it("answers 401 without a valid key", async () => {
    await expect(connect()).rejects.toThrow(/unauthorized/);
    await expect(connect(`bys_ak_${"x".repeat(40)}`)).rejects.toThrow(/unauthorized/);
    const res = await call("POST", "/mcp", {
      body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized" });
    const { key } = await setupAccount();
    const get = await call("GET", "/mcp", { token: key });
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ error: "method_not_allowed" });
  });
});
