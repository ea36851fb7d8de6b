/**
 * GET /v1/agent/calls/{id}/stream: Server-Sent Events from the call's Durable Object, resumable
 * with Last-Event-ID.
 */
import { describe, expect, it } from "vitest";
import { call, json, placeCall, setupAccount, VALID_CALL } from "../helpers";

type Sse = { id: number; event: string; data: Record<string, unknown> };

function parse(text: string): Sse[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? "";
      return { id: Number(field("id")), event: field("event"), data: JSON.parse(field("data")) };
    });
}

/** Reads the stream until `enough` holds for what came so far, then drops the connection. */
async function readUntil(res: Response, enough: (events: Sse[]) => boolean): Promise<Sse[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (value) text += decoder.decode(value, { stream: true });
    // Only whole events count.
    const events = parse(text.slice(0, text.lastIndexOf("\n\n") + 2));
    if (done || enough(events)) {
      await reader.cancel();
      return events;
    }
  }
}

describe("the call's live stream", () => {
  it("streams status changes, transcript lines and the terminal record; a reconnect from Last-Event-ID loses nothing", async () => {
    const { key } = await setupAccount();
    const other = await setupAccount();
    const id = await placeCall(key, VALID_CALL);
    const foreign = await call("GET", `/v1/agent/calls/${id}/stream`, { token: other.key });
    expect(foreign.status).toBe(404);
    expect(await json(foreign)).toEqual({ error: "not_found" });

    const first = await call("GET", `/v1/agent/calls/${id}/stream`, { token: key });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const before = await readUntil(first, (e) => e.some((x) => x.event === "call.transcript"));
    const lastId = before.at(-1)?.id ?? 0;
    expect(lastId).toBeGreaterThan(0);

    const resumed = await call("GET", `/v1/agent/calls/${id}/stream`, {
      token: key,
      headers: { "last-event-id": String(lastId) },
    });
    const after = await readUntil(resumed, () => false);
    const all = [...before, ...after];
    // Numbered 1..n without a gap or a repeat across the two connections.
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    const types = all.map((e) => e.event);
    expect(types.slice(0, 2)).toEqual(["call.dialing", "call.in_progress"]);
    expect(types.filter((t) => t === "call.transcript").length).toBeGreaterThanOrEqual(2);
    const last = all.at(-1);
    expect(last?.event).toBe("call.completed");
    expect(last?.data.call).toMatchObject({
      id,
      status: "completed",
      transcript: expect.any(String),
    });
    const lines = all.filter((e) => e.event === "call.transcript").map((e) => e.data);
    expect(lines[0]).toMatchObject({ speaker: "agent", offsetMs: expect.any(Number) });

    // After the end, the stream replays everything and closes.
    const replay = await readUntil(
      await call("GET", `/v1/agent/calls/${id}/stream`, { token: key }),
      () => false,
    );
    expect(replay.map((e) => e.id)).toEqual(all.map((e) => e.id));
  }, 30_000);
});
