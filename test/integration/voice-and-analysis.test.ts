/**
 * An answered call through the public API with the simulated carrier and voice model: the
 * conversation's transcript, the recording behind its authenticated URL, and the post-call
 * summary with typed fields and their evidence.
 */
import { describe, expect, it, vi } from "vitest";
import { VoiceRelay } from "../../src/call-session/media/voice-relay";
import { call, placeAndWait, setupAccount, VALID_CALL } from "../helpers";

const FIELDS = [
  { name: "booked", type: "boolean", description: "Did they confirm the booking?" },
  { name: "confirmed_time", type: "string", description: "The time they confirmed" },
  { name: "contact_name", type: "string", description: "Name given for the reservation" },
  { name: "amount", type: "number", description: "Deposit quoted in USD" },
  { name: "parking", type: "boolean", description: "Is there parking?" },
];

const placeWithFields = (token: string, to: string) =>
  placeAndWait(token, { ...VALID_CALL, to, fields: FIELDS }, { timeoutMs: 8000 });

describe("a completed conversation", () => {
  it("has a summary, typed fields, evidence on real transcript lines, and 'not said' as null", async () => {
    const { key } = await setupAccount();
    const done = await placeWithFields(key, "+14155550123");
    expect(done.status).toBe("completed");
    expect(done.summary).toEqual(expect.stringContaining("Book a table for 4"));
    expect(done.extracted).toEqual({
      booked: true,
      confirmed_time: "7 PM",
      contact_name: "Smith",
      amount: 249,
      parking: null,
    });
    expect(done.analysisError).toBeNull();
    const lines = String(done.transcript).split("\n");
    const evidence = done.extractedEvidence as Record<
      string,
      { line: number; speaker: string; text: string } | null
    >;
    expect(evidence.parking).toBeNull();
    for (const name of ["booked", "confirmed_time", "contact_name", "amount"]) {
      const ev = evidence[name];
      expect(ev?.speaker).toBe("recipient");
      expect(lines[ev?.line ?? -1]).toContain(`recipient: ${ev?.text}`);
    }
  });

  it("plays the agent through Twilio marks and reports the first reply's latency from D1", async () => {
    const { key } = await setupAccount();
    const done = await placeWithFields(key, "+14155550123");
    expect(done.status).toBe("completed");
    // The simulated person speaks once the greeting has played; the agent answers that.
    const latency = done.responseLatency as {
      turns: number;
      p50Ms: number;
      firstReplyMs: number | null;
    };
    expect(latency.turns).toBe(1);
    expect(latency.firstReplyMs).toBe(latency.p50Ms);
    expect(latency.firstReplyMs).toBeGreaterThanOrEqual(0);
    // Lines in spoken order, the agent's none cut off (nobody talked over it).
    const lines = String(done.transcript).split("\n");
    expect(lines.map((l) => /\] (\w+):/.exec(l)?.[1])).toEqual(["agent", "recipient", "agent"]);
    expect(lines.some((l) => l.endsWith(" —"))).toBe(false);
  });

  it("voicemail: a short summary of what happened and no invented fields", async () => {
    const { key } = await setupAccount();
    const done = await placeWithFields(key, "+14155550101");
    expect(done.status).toBe("voicemail");
    expect(done.summary).toEqual(expect.any(String));
    expect(done.extracted).toEqual({
      booked: null,
      confirmed_time: null,
      contact_name: null,
      amount: null,
      parking: null,
    });
    expect(done.analysisError).toBeNull();
  });

  it("declined and failed calls say so", async () => {
    const { key } = await setupAccount();
    const declined = await placeWithFields(key, "+14155550102");
    expect(declined.summary).toEqual(expect.any(String));
    const failed = await placeWithFields(key, "+14155550103");
    expect(failed).toMatchObject({
      status: "failed",
      error: "placement_failed",
      summary: expect.any(String),
    });
    expect(failed.extracted).toEqual({
      booked: null,
      confirmed_time: null,
      contact_name: null,
      amount: null,
      parking: null,
    });
  });
});

describe("the recording", () => {
  it("is a stereo 8 kHz WAV of both sides, behind the call's own key, with ranges", async () => {
    const { key } = await setupAccount();
    const other = await setupAccount();
    const done = await placeWithFields(key, "+14155550123");
    const url = `/v1/agent/calls/${done.id}/recording`;
    expect(done.recordingUrl).toBe(`https://api.test${url}`);

    const res = await call("GET", url, { token: key });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    const wav = new Uint8Array(await res.arrayBuffer());
    const view = new DataView(wav.buffer);
    const ascii = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4));
    expect([ascii(0), ascii(8), ascii(12), ascii(36)]).toEqual(["RIFF", "WAVE", "fmt ", "data"]);
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(24, true)).toBe(8000);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(wav.length - 44);
    expect(view.getUint32(4, true)).toBe(wav.length - 8);
    // Both channels carry sound: the recipient's speech on the left, the agent's on the right.
    let left = 0;
    let right = 0;
    for (let i = 44; i + 3 < wav.length; i += 4) {
      left = Math.max(left, Math.abs(view.getInt16(i, true)));
      right = Math.max(right, Math.abs(view.getInt16(i + 2, true)));
    }
    expect(left).toBeGreaterThan(1000);
    expect(right).toBeGreaterThan(1000);

    const head = await call("GET", url, { token: key, headers: { range: "bytes=0-43" } });
    expect(head.status).toBe(206);
    expect(head.headers.get("content-range")).toBe(`bytes 0-43/${wav.length}`);
    expect(new Uint8Array(await head.arrayBuffer())).toEqual(wav.subarray(0, 44));
    const tail = await call("GET", url, { token: key, headers: { range: "bytes=-10" } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(wav.subarray(wav.length - 10));
    const beyond = await call("GET", url, {
      token: key,
      headers: { range: `bytes=${wav.length}-` },
    });
    expect(beyond.status).toBe(416);
    expect(await beyond.json()).toEqual({ error: "range_not_satisfiable" });

    expect((await call("GET", url)).status).toBe(401);
    const foreign = await call("GET", url, { token: other.key });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: "not_found" });
  });

  it("a call that was never answered has no recording", async () => {
    const { key } = await setupAccount();
    const done = await placeWithFields(key, "+14155550100");
    expect(done.recordingUrl).toBeNull();
    expect((await call("GET", `/v1/agent/calls/${done.id}/recording`, { token: key })).status).toBe(
      404,
    );
  });
});

describe("the first words", () => {
  it("come from a model set up while the phone rang: the answer only asks it to begin", async () => {
    const { key } = await setupAccount();
    const relayed = vi.spyOn(VoiceRelay.prototype, "audio");
    try {
      const done = await placeAndWait(key, VALID_CALL, { timeoutMs: 8000 });
      expect(done.status).toBe("completed");
      // The agent's audio reached the bridge through the session prepared at ringing.
      expect(relayed).toHaveBeenCalled();
    } finally {
      relayed.mockRestore();
    }
  });
});
