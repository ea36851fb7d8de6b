/**
 * Calls really happen: placement dials the simulated carrier (Twilio's REST API, signed callbacks,
 * a real media WebSocket into the CallSession), and every call reaches its terminal status.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json, setupAccount, VALID_CALL } from "../helpers";

let key: string;

beforeAll(async () => {
  ({ key } = await setupAccount());
});

type CallOut = Record<string, unknown> & { id: string; status: string };

async function placeTo(to: string, token = key): Promise<string> {
  const res = await call("POST", "/v1/agent/calls", { token, body: { ...VALID_CALL, to } });
  expect(res.status).toBe(202);
  return (await json<{ callId: string }>(res)).callId;
}

async function getCall(id: string, token = key): Promise<CallOut> {
  return json<CallOut>(await call("GET", `/v1/agent/calls/${id}`, { token }));
}

/** Polls the public API, as a client would, until the call is terminal. */
async function waitForTerminal(id: string, token = key, timeoutMs = 5000): Promise<CallOut> {
  const terminal = new Set(["completed", "no_answer", "voicemail", "declined", "failed"]);
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const c = await getCall(id, token);
    if (seen.at(-1) !== c.status) seen.push(c.status);
    if (terminal.has(c.status)) return { ...c, seen };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`call ${id} not terminal after ${timeoutMs} ms: ${seen.join(" → ")}`);
}

describe("simulated carrier outcomes through the public API", () => {
  it("an ordinary number is answered, talks and completes", async () => {
    const id = await placeTo("+14155550123");
    const done = await waitForTerminal(id);
    expect(done).toMatchObject({ status: "completed", error: null });
    expect(done.seen).toContain("in_progress");
    expect(done.startedAt).toEqual(expect.any(String));
    expect(done.endedAt).toEqual(expect.any(String));
    expect(done.durationSec).toEqual(expect.any(Number));
    const row = await env.DB.prepare(
      "SELECT provider_call_id, reserved_sec FROM calls WHERE id = ?",
    )
      .bind(id)
      .first();
    expect(row).toEqual({
      provider_call_id: expect.stringMatching(/^CA[0-9a-f]{32}$/),
      reserved_sec: 0,
    });
  });

  it.each([
    ["+14155550100", "no_answer", null],
    ["+14155550101", "voicemail", null],
    ["+14155550102", "declined", null],
    ["+14155550103", "failed", "placement_failed"],
  ])("%s ends as %s", async (to, status, error) => {
    const done = await waitForTerminal(await placeTo(to));
    expect(done).toMatchObject({ status, error });
  });

  it("retries carrier 503s at creation with backoff, then proceeds", async () => {
    const done = await waitForTerminal(await placeTo("+14155550104"));
    expect(done).toMatchObject({ status: "completed", error: null });
  });
});
