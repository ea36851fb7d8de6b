/**
 * The call recorder against the local R2 bucket: a short call is one object, a long one a
 * multipart upload whose parts are all 5 MiB but the last, and either way the stored WAV holds
 * exactly the audio of both sides, sample for sample, with the agent laid on the recipient's clock.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WAV_HEADER_BYTES } from "../../src/audio/wav";
import type { SavedRecording } from "../../src/domain/call-record";
import { completeSavedRecording, PART_BYTES, Recorder } from "../../src/recording/r2-recorder";
import { waitFor } from "../wait-for";

const FRAME = 160; // 20 ms at 8 kHz

/** Recipient sample n of the call: a pattern that differs from its neighbours and the agent's. */
const recipientSample = (n: number) => ((n * 7) % 20_011) - 10_000;
const agentSample = (n: number) => -((n * 13) % 19_997) + 9_000;

function frame(at: number, sample: (n: number) => number): Int16Array {
  return Int16Array.from({ length: FRAME }, (_, i) => sample(at + i));
}

async function stored(key: string): Promise<{ dataBytes: number; pcm: Int16Array; size: number }> {
  const object = await env.RECORDINGS.get(key);
  if (!object) throw new Error(`no recording at ${key}`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  const view = new DataView(bytes.buffer);
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("RIFF");
  expect(view.getUint16(22, true)).toBe(2); // stereo
  expect(view.getUint32(24, true)).toBe(8000);
  return {
    dataBytes: view.getUint32(40, true),
    pcm: new Int16Array(bytes.buffer, WAV_HEADER_BYTES, (bytes.length - WAV_HEADER_BYTES) / 2),
    size: object.size,
  };
}

describe("Recorder", () => {
  it("stores a short call as one WAV with both sides interleaved on the recipient's clock", async () => {
    const key = `test/${crypto.randomUUID()}.wav`;
    const rec = new Recorder(env.RECORDINGS, key);
    // 3 s of recipient audio; the agent answers with 1 s of audio after the first second.
    for (let at = 0; at < 8000; at += FRAME) rec.recipient(frame(at, recipientSample));
    for (let at = 0; at < 8000; at += FRAME) rec.agent(frame(at, agentSample));
    for (let at = 8000; at < 24_000; at += FRAME) rec.recipient(frame(at, recipientSample));
    expect(await rec.finish()).toBe(key);

    const { dataBytes, pcm } = await stored(key);
    expect(dataBytes).toBe(24_000 * 4);
    expect(pcm.length).toBe(48_000);
    expect(pcm[2 * 5]).toBe(recipientSample(5));
    expect(pcm[2 * 5 + 1]).toBe(0); // the agent had not spoken yet
    expect(pcm[2 * 8000 + 1]).toBe(agentSample(0));
    expect(pcm[2 * 15_999 + 1]).toBe(agentSample(7999));
    expect(pcm[2 * 16_000 + 1]).toBe(0);
    expect(pcm[2 * 23_999]).toBe(recipientSample(23_999));
  });

  it("drops agent audio that a barge-in cleared before it played", async () => {
    const key = `test/${crypto.randomUUID()}.wav`;
    const rec = new Recorder(env.RECORDINGS, key);
    rec.recipient(frame(0, recipientSample));
    rec.agent(Int16Array.from({ length: 8000 }, (_, i) => agentSample(i))); // 1 s queued ahead
    rec.recipient(frame(FRAME, recipientSample)); // 20 ms of it played
    rec.clearAgent();
    for (let at = 2 * FRAME; at < 8000; at += FRAME) rec.recipient(frame(at, recipientSample));
    await rec.finish();

    const { pcm } = await stored(key);
    expect(pcm[2 * FRAME + 1]).toBe(agentSample(0)); // played, from where the recipient was
    expect(pcm[2 * (2 * FRAME) + 1]).toBe(0); // cleared: never played, never recorded
  });

  it("uploads a long call in equal 5 MiB parts, part 1 carrying the header, and keeps every sample", async () => {
    const key = `test/${crypto.randomUUID()}.wav`;
    const rec = new Recorder(env.RECORDINGS, key);
    const seconds = 400; // 12.8 MB of stereo audio: two full parts and a short last one
    const samples = seconds * 8000;
    for (let at = 0; at < samples; at += FRAME) {
      rec.recipient(frame(at, recipientSample));
      if (at % 16_000 === 0) rec.agent(frame(at, agentSample));
    }
    expect(await rec.finish()).toBe(key);

    const { dataBytes, pcm, size } = await stored(key);
    expect(dataBytes).toBe(samples * 4);
    expect(size).toBe(WAV_HEADER_BYTES + samples * 4);
    expect(size).toBeGreaterThan(2 * PART_BYTES);
    // Samples on both sides of each part boundary are where they belong.
    for (const byte of [PART_BYTES, 2 * PART_BYTES]) {
      const n = Math.floor((byte - WAV_HEADER_BYTES) / 4);
      for (const m of [n - 1, n, n + 1]) expect(pcm[2 * m]).toBe(recipientSample(m));
    }
    for (let m = 0; m < samples; m += 97_003) expect(pcm[2 * m]).toBe(recipientSample(m));
    // Agent audio starts where the recipient is: after the frame of that moment.
    expect(pcm[2 * (16_000 + FRAME) + 1]).toBe(agentSample(16_000));
    expect(pcm[2 * 16_000 + 1]).toBe(0);
    expect(pcm[2 * (samples - 1)]).toBe(recipientSample(samples - 1));
  });

  it("reports each saved part, so a recording cut by a restart is completed up to its last full part", async () => {
    const key = `test/${crypto.randomUUID()}.wav`;
    const reports: SavedRecording[] = [];
    const rec = new Recorder(env.RECORDINGS, key, (saved) => reports.push(saved));
    const seconds = 400; // two full parts, then the runtime "dies" before finish()
    const samples = seconds * 8000;
    for (let at = 0; at < samples; at += FRAME) rec.recipient(frame(at, recipientSample));
    const last = await waitFor(() => {
      const r = reports.at(-1);
      return r && r.parts.length === 2 ? r : undefined;
    });
    expect(last.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    // A new object, after the restart, completes what was saved.
    expect(await completeSavedRecording(env.RECORDINGS, key, last)).toBe(key);
    const object = await env.RECORDINGS.get(key);
    if (!object) throw new Error("no recording");
    expect(object.size).toBe(2 * PART_BYTES);
    const bytes = new Uint8Array(await object.arrayBuffer());
    const pcm = new Int16Array(
      bytes.buffer,
      WAV_HEADER_BYTES,
      (bytes.length - WAV_HEADER_BYTES) / 2,
    );
    const kept = (2 * PART_BYTES - WAV_HEADER_BYTES) / 4;
    for (const m of [0, 1, kept - 1]) expect(pcm[2 * m]).toBe(recipientSample(m));
  });

  it("completes nothing when no part was saved (a call shorter than a part)", async () => {
    const key = `test/${crypto.randomUUID()}.wav`;
    expect(await completeSavedRecording(env.RECORDINGS, key, { uploadId: "x", parts: [] })).toBe(
      undefined,
    );
  });
});
