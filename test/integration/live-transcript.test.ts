/**
 * `liveEvents: ["transcript"]` end to end: a simulated call's finished utterances reach the
 * webhook receiver as signed `call.transcript` events, numbered without gaps, at most one a second,
 * before the terminal event was created, and together they are the record's transcript.
 */
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatOffset } from "../../src/domain/transcript";
import { call, json, placeCall, setupAccount, VALID_CALL, waitForTerminal } from "../helpers";
import { waitFor } from "../wait-for";

const HOOK = "https://hooks.example.com/live";

afterEach(() => vi.restoreAllMocks());
// Whole simulated calls in real time.
vi.setConfig({ testTimeout: 40_000 });

type Line = { sequence: number; speaker: string; text: string; offsetMs: number };
type Event = {
  id: string;
  type: string;
  timestamp: string;
  callId: string;
  data: { lines?: Line[]; call?: { transcript: string | null } };
};

/** A fake webhook receiver at hooks.example.com; every body is verified as it arrives. */
function receiver(secret: () => string) {
  const events: Event[] = [];
  const original = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    if (!req.url.startsWith("https://hooks.example.com/")) return original(input, init);
    const body = await req.text();
    events.push(new Webhook(secret()).verify(body, Object.fromEntries(req.headers)) as Event);
    return new Response("ok");
  });
  return events;
}

async function placeLive(body: Record<string, unknown>) {
  let secret = "";
  const events = receiver(() => secret);
  const account = await setupAccount();
  secret = account.webhookSecret;
  const id = await placeCall(account.key, { ...VALID_CALL, webhookUrl: HOOK, ...body });
  const done = await waitForTerminal(account.key, id, { timeoutMs: 20_000 });
  // The terminal event is the last one created; once it is in, every transcript event is too.
  await waitFor(() => events.find((e) => e.type === `call.${done.status}`), {
    timeoutMs: 20_000,
    intervalMs: 20,
  });
  return { id, done, events, key: account.key };
}

describe("liveEvents: transcript", () => {
  it("rejects what is not a list of known kinds, each once, with invalid_live_events", async () => {
    const { key } = await setupAccount();
    for (const liveEvents of ["transcript", ["audio"], ["transcript", "transcript"], [1]]) {
      const res = await call("POST", "/v1/agent/calls", {
        token: key,
        body: { ...VALID_CALL, liveEvents },
      });
      expect(res.status, JSON.stringify(liveEvents)).toBe(400);
      expect(await json(res)).toEqual({ error: "invalid_live_events" });
    }
  });

  it("sends every finished utterance, numbered from 1 without gaps, at most one event a second", async () => {
    const { id, done, events, key } = await placeLive({ liveEvents: ["transcript"] });
    expect(done.status).toBe("completed");
    const live = events.filter((e) => e.type === "call.transcript");
    expect(live.length).toBeGreaterThan(0);
    for (const e of live) {
      expect(e.callId).toBe(id);
      expect(e.data.call).toBeUndefined();
    }

    // Deliveries may arrive in any order: the event ids and the sequences put them back.
    const lines = live.flatMap((e) => e.data.lines ?? []).sort((a, b) => a.sequence - b.sequence);
    expect(lines.map((l) => l.sequence)).toEqual(lines.map((_, i) => i + 1));
    const transcript = String(done.transcript).split("\n");
    expect(
      lines.map((l) => `[${formatOffset(l.offsetMs)}] ${l.speaker}: ${l.text}`).sort(),
    ).toEqual([...transcript].sort());

    // While the call runs; the lines still waiting at its end go out at once, before the terminal event.
    const times = live.map((e) => Date.parse(e.timestamp)).sort((a, b) => a - b);
    for (let i = 1; i < times.length - 1; i++)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);

    // Each is in the call's event log, delivered, like every event.
    const log = await json<{ events: { id: string; type: string; status: string }[] }>(
      await call("GET", `/v1/agent/calls/${id}/events`, { token: key }),
    );
    const logged = log.events.filter((e) => e.type === "call.transcript");
    expect(logged.map((e) => e.id).sort()).toEqual(live.map((e) => e.id).sort());
    expect(logged.every((e) => e.status === "delivered")).toBe(true);
  });

  it("sends none for a call that did not ask", async () => {
    const { events, done } = await placeLive({});
    expect(done.transcript).toBeTruthy();
    expect(events.filter((e) => e.type === "call.transcript")).toEqual([]);
  });
});
