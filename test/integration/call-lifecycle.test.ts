/**
 * Calls really happen: placement dials the simulated carrier (Twilio's REST API, signed callbacks,
 * a real media WebSocket into the CallSession), and every call reaches its terminal status.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { placeCall, setupAccount, VALID_CALL, waitForTerminal } from "../helpers";

let key: string;

beforeAll(async () => {
  ({ key } = await setupAccount());
});

const placeTo = (to: string) => placeCall(key, { ...VALID_CALL, to });

describe("simulated carrier outcomes through the public API", () => {
  it("an ordinary number is answered, talks and completes", async () => {
    const id = await placeTo("+14155550123");
    const done = await waitForTerminal(key, id);
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
    const done = await waitForTerminal(key, await placeTo(to));
    expect(done).toMatchObject({ status, error });
  });

  it("retries carrier 503s at creation with backoff, then proceeds", async () => {
    const done = await waitForTerminal(key, await placeTo("+14155550104"));
    expect(done).toMatchObject({ status: "completed", error: null });
  });
});
