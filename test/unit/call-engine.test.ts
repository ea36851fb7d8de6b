/**
 * The session engine as a table: each row is (state, input, now) → (status, commands, events).
 * No Durable Object, no D1, no carrier: what the engine decides, not how the shell executes it.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_DIAL_ATTEMPTS,
  MEDIA_SILENCE_MS,
  nextAlarm,
  type SessionCommand,
  type SessionInput,
  type SessionState,
  SYNC_RETRY_MS,
  startSession,
  step,
} from "../../src/domain/call-engine";
import { NO_OUTPUTS } from "../../src/domain/call-record";
import { callOfEvent } from "../../src/domain/webhook-event";
import { callParams, SETTINGS, T0 } from "./engine-fixtures";

const PARAMS = callParams();

type Row = [input: SessionInput, at: number];

/** Runs inputs from a fresh session; returns the state and every command and event on the way. */
function run(...rows: Row[]) {
  const start = startSession(PARAMS, SETTINGS, T0);
  let state = start.state;
  const commands: SessionCommand[] = [...start.commands];
  const refused: (string | undefined)[] = [];
  for (const [input, at] of rows) {
    const r = step(state, input, at);
    state = r.state;
    commands.push(...r.commands);
    refused.push(r.refused);
  }
  return { state, commands, refused, types: commandTypes(commands), events: eventTypes(state) };
}

const commandTypes = (cs: SessionCommand[]) => cs.map((c) => c.type);
const eventTypes = (s: SessionState) => s.outbox.map((e) => e.type);

const carrier = (
  signal: Extract<SessionInput, { type: "carrier" }>["signal"],
  dedupeKey: string,
  extra: { grantedMs?: number; callSid?: string } = {},
): SessionInput => ({
  type: "carrier",
  signal,
  callSid: extra.callSid ?? "CA1",
  dedupeKey,
  ...extra,
});

const dialed: Row = [{ type: "dial_succeeded", providerCallId: "CA1" }, T0 + 100];
const ringing: Row = [carrier({ kind: "progress" }, "status:1:ringing"), T0 + 200];
const answered: Row = [
  carrier({ kind: "answered" }, "status:2:in-progress", { grantedMs: 120_000 }),
  T0 + 5000,
];
const mediaStarted: Row = [{ type: "media_started" }, T0 + 5100];
const hungUp: Row = [{ type: "agent_hung_up" }, T0 + 30_000];

describe("dialing", () => {
  it("starts by dialing once, with a dial watchdog", () => {
    const start = startSession(PARAMS, SETTINGS, T0);
    expect(start.commands).toEqual([{ type: "dial", attempt: 1 }]);
    expect(start.state.call.status).toBe("queued");
    expect(nextAlarm(start.state)).toBe(T0 + 60_000);
  });

  it("a retryable refusal schedules the next attempt with doubling backoff; the alarm dials it", () => {
    const r = run(
      [{ type: "dial_failed", retryable: true }, T0 + 10],
      [{ type: "alarm" }, T0 + 1010],
      [{ type: "dial_failed", retryable: true }, T0 + 1020],
    );
    expect(r.state.dial).toEqual({ attempts: 2, dueAt: T0 + 1020 + 2000 });
    expect(r.commands.filter((c) => c.type === "dial")).toEqual([
      { type: "dial", attempt: 1 },
      { type: "dial", attempt: 2 },
    ]);
    expect(nextAlarm(r.state)).toBe(T0 + 3020);
  });

  it("an alarm before the next attempt is due dials nothing", () => {
    const r = run(
      [{ type: "dial_failed", retryable: true }, T0 + 10],
      [{ type: "alarm" }, T0 + 500],
    );
    expect(r.types.filter((t) => t === "dial")).toHaveLength(1);
  });

  it(`gives up after ${MAX_DIAL_ATTEMPTS} attempts, or at once on a final refusal`, () => {
    const rows: Row[] = [];
    for (let i = 1; i < MAX_DIAL_ATTEMPTS; i++) {
      rows.push([{ type: "dial_failed", retryable: true }, T0 + i * 100_000]);
      rows.push([{ type: "alarm" }, T0 + i * 100_000 + 50_000]);
    }
    rows.push([{ type: "dial_failed", retryable: true }, T0 + 900_000]);
    expect(run(...rows).state.call).toMatchObject({ status: "failed", error: "placement_failed" });
    expect(run([{ type: "dial_failed", retryable: false }, T0 + 10]).state.call).toMatchObject({
      status: "failed",
      error: "placement_failed",
    });
  });

  it("a call canceled while the carrier was creating it is withdrawn once the carrier answers", () => {
    const r = run([{ type: "cancel" }, T0 + 10], dialed);
    expect(r.state.call).toMatchObject({
      status: "failed",
      error: "canceled",
      providerCallId: "CA1",
    });
    expect(r.commands).toContainEqual({ type: "hang_up", providerCallId: "CA1", answered: false });
  });
});

describe("carrier signals", () => {
  it("queued → dialing → in_progress emits one event per status, at the transition", () => {
    const r = run(dialed, ringing, answered);
    expect(r.events).toEqual(["call.dialing", "call.in_progress"]);
    expect(r.state.outbox.map((e) => e.timestamp)).toEqual([
      new Date(T0 + 100).toISOString(),
      new Date(T0 + 5000).toISOString(),
    ]);
    expect(r.state.call.maxDurationMs).toBe(120_000);
  });

  it("the phone ringing sets the voice model up, once", () => {
    const r = run(dialed, ringing, [carrier({ kind: "progress" }, "status:2:ringing"), T0 + 300]);
    expect(r.types.filter((t) => t === "prepare_voice")).toHaveLength(1);
    expect(r.state.voicePrepared).toBe(true);
  });

  it("a replayed callback is refused and changes nothing", () => {
    const r = run(dialed, ringing, [carrier({ kind: "progress" }, "status:1:ringing"), T0 + 300]);
    expect(r.refused.at(-1)).toBe("replay");
    expect(r.events).toEqual(["call.dialing"]);
  });

  it("a callback for another carrier call is refused", () => {
    const r = run(dialed, [
      carrier({ kind: "ended", outcome: "busy" }, "status:3:busy", { callSid: "CA2" }),
      T0 + 300,
    ]);
    expect(r.refused.at(-1)).toBe("wrong_call");
    expect(r.state.call.status).toBe("dialing");
  });

  it("a stale callback after the answer does not move the call backward", () => {
    const r = run(dialed, answered, [carrier({ kind: "progress" }, "status:9:ringing"), T0 + 6000]);
    expect(r.state.call.status).toBe("in_progress");
    expect(r.events).toEqual(["call.dialing", "call.in_progress"]);
  });

  it("a machine ends the call as voicemail and hangs up", () => {
    const r = run(dialed, answered, [
      carrier({ kind: "machine", answeredBy: "machine_start" }, "amd:machine_start"),
      T0 + 7000,
    ]);
    expect(r.state.call).toMatchObject({ status: "voicemail", answeredBy: "machine_start" });
    expect(r.commands).toContainEqual({ type: "hang_up", providerCallId: "CA1", answered: true });
  });

  it("an answer needs the call's length granted; media before the answer counts as one", () => {
    const r = run(dialed, [{ type: "media_started", grantedMs: 60_000 }, T0 + 4000]);
    expect(r.state.call).toMatchObject({ status: "in_progress", mediaConnected: true });
    expect(r.state.call.maxDurationMs).toBe(60_000);
    expect(r.commands).toContainEqual({ type: "start_bridge", answeredAt: T0 + 4000 });
  });

  it("no minutes left at the answer: failed, over_minute_cap, hung up", () => {
    const r = run(dialed, [
      carrier({ kind: "answered" }, "status:2:in-progress", { grantedMs: 0 }),
      T0 + 5000,
    ]);
    expect(r.state.call).toMatchObject({ status: "failed", error: "over_minute_cap" });
    expect(r.commands).toContainEqual({ type: "hang_up", providerCallId: "CA1", answered: true });
  });
});

describe("the end of a call and post-call work", () => {
  const ended = () => run(dialed, answered, mediaStarted, hungUp);

  it("ending holds the terminal event, closes media and asks the alarm for post-call work", () => {
    const r = ended();
    expect(r.state.call).toMatchObject({ status: "completed", durationSec: 25 });
    expect(r.events).toEqual(["call.dialing", "call.in_progress"]);
    expect(r.types).toEqual(expect.arrayContaining(["hang_up", "close_media", "sync"]));
    expect(r.state.post).toEqual({ began: false, deadline: T0 + 30_000 + 90_000 });
    expect(nextAlarm(r.state)).toBe(T0 + 30_000);
  });

  it("the alarm starts post-call work once; its result finalizes and releases the terminal event", () => {
    const r = ended();
    const a = step(r.state, { type: "alarm" }, T0 + 30_010);
    expect(a.commands).toContainEqual({ type: "run_post_call", deadline: T0 + 120_000 });
    const again = step(a.state, { type: "alarm" }, T0 + 30_020);
    expect(commandTypes(again.commands)).not.toContain("run_post_call");
    const outputs = { ...NO_OUTPUTS, summary: "Booked.", recordingKey: "rec.wav" };
    const done = step(a.state, { type: "post_call_done", outputs }, T0 + 31_000);
    expect(done.state.finalized).toBe(true);
    const terminal = done.state.outbox.at(-1);
    expect(terminal?.type).toBe("call.completed");
    // Stamped with the call's end, not with when post-call work finished.
    expect(terminal?.timestamp).toBe(new Date(T0 + 30_000).toISOString());
    expect(terminal && callOfEvent(terminal)?.summary).toBe("Booked.");
  });

  it("post-call work past its bound finalizes with analysis_timeout; a late result is ignored", () => {
    const a = step(ended().state, { type: "alarm" }, T0 + 30_010);
    const late = step(a.state, { type: "alarm" }, T0 + 120_000);
    expect(late.state.finalized).toBe(true);
    expect(late.state.outputs.analysisError).toBe("analysis_timeout");
    const ignored = step(late.state, { type: "post_call_done", outputs: NO_OUTPUTS }, T0 + 121_000);
    expect(ignored.state).toBe(late.state);
    expect(eventTypes(ignored.state).filter((t) => t === "call.completed")).toHaveLength(1);
  });

  it("cancel ends a live call once; a second cancel is refused as already ended", () => {
    const r = run(
      dialed,
      answered,
      [{ type: "cancel" }, T0 + 8000],
      [{ type: "cancel" }, T0 + 8100],
    );
    expect(r.state.call).toMatchObject({ status: "failed", error: "canceled" });
    expect(r.refused.at(-1)).toBe("already_ended");
  });

  it("a tool the call was not offered is answered with an error; after the end, every tool is", () => {
    const call = { id: "fc_1", name: "fly_to_moon", args: {} };
    const live = run(dialed, answered, mediaStarted, [{ type: "tool_called", call }, T0 + 7000]);
    expect(live.commands.at(-1)).toEqual({
      type: "tool_result",
      call,
      result: { error: "unknown_tool" },
    });
    const ended = run(dialed, answered, mediaStarted, hungUp, [
      { type: "tool_called", call },
      T0 + 31_000,
    ]);
    expect(ended.commands.at(-1)).toEqual({
      type: "tool_result",
      call,
      result: { error: "call_ended" },
    });
  });

  it("transcript lines are kept in order and go into the terminal event", () => {
    const line = (text: string, offsetMs: number): Row => [
      { type: "transcript_line", line: { speaker: "agent", text, offsetMs } },
      T0 + 6000 + offsetMs,
    ];
    const r = run(dialed, answered, mediaStarted, line("Hello", 100), line("Bye", 900), hungUp);
    const a = step(r.state, { type: "alarm" }, T0 + 30_010);
    const done = step(a.state, { type: "post_call_done", outputs: NO_OUTPUTS }, T0 + 31_000);
    const last = done.state.outbox.at(-1);
    expect(last && callOfEvent(last)?.transcript).toBe(
      "[00:00.1] agent: Hello\n[00:00.9] agent: Bye",
    );
  });
});

describe("transcript order", () => {
  it("a line whose text came late goes where its speech began (stable on equal offsets)", () => {
    const line = (speaker: "agent" | "recipient", text: string, offsetMs: number): Row => [
      { type: "transcript_line", line: { speaker, text, offsetMs } },
      T0 + 20_000,
    ];
    const r = run(
      dialed,
      answered,
      mediaStarted,
      line("agent", "Hello, this is an assistant.", 400),
      line("agent", "I am calling about Friday.", 5200),
      // Gemini's input transcription of what the person said at 3.3 s arrives after the reply.
      line("recipient", "Hello? Who is this?", 3300),
      line("recipient", "Yes.", 5200),
    );
    expect(r.state.lines.map((l) => l.text)).toEqual([
      "Hello, this is an assistant.",
      "Hello? Who is this?",
      "I am calling about Friday.",
      "Yes.",
    ]);
  });
});

describe("keeping D1 and the queue in step", () => {
  it("every transition asks for a sync and keeps an alarm until it is done", () => {
    const r = run(dialed);
    expect(r.types).toContain("sync");
    expect(r.state.sync).toEqual({ behind: true, retryAt: T0 + 100 + SYNC_RETRY_MS });
    const synced = step(
      r.state,
      { type: "synced", eventIds: [r.state.outbox[0]?.id ?? ""] },
      T0 + 150,
    );
    expect(synced.state.outbox).toEqual([]);
    expect(synced.state.sync.behind).toBe(false);
  });

  it("a failed sync is retried from the alarm; events stay in the outbox until stored", () => {
    const r = run(dialed, [{ type: "sync_failed" }, T0 + 150]);
    expect(r.state.outbox).toHaveLength(1);
    expect(nextAlarm(r.state)).toBe(T0 + 150 + SYNC_RETRY_MS);
    const alarm = step(r.state, { type: "alarm" }, T0 + 150 + SYNC_RETRY_MS);
    expect(commandTypes(alarm.commands)).toContain("sync");
  });

  it("event ids are stable and distinct", () => {
    const ids = run(dialed, answered).state.outbox.map((e) => e.id);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((id) => id.startsWith("evt_"))).toBe(true);
  });
});

describe("watchdogs", () => {
  const table: [name: string, rows: Row[], at: number, status: string, error: string | null][] = [
    ["dial", [], T0 + 60_000, "failed", "placement_failed"],
    ["ring", [dialed], T0 + 100 + 60_000, "failed", "ring_timeout"],
    ["media connect", [dialed, answered], T0 + 5000 + 15_000, "failed", "media_not_connected"],
    [
      "length",
      [dialed, answered, mediaStarted, [{ type: "media_flowing" }, T0 + 124_000]],
      T0 + 5000 + 120_000,
      "completed",
      null,
    ],
    [
      "media lost",
      [dialed, answered, mediaStarted, [{ type: "media_ended", stopped: false }, T0 + 9000]],
      T0 + 19_000,
      "failed",
      "media_lost",
    ],
  ];
  it.each(table)(
    "%s: the alarm at the deadline ends the call",
    (_name, rows, at, status, error) => {
      // D1 has caught up, so the only alarm left is the watchdog's.
      const before = run(...rows).state;
      const r = step(before, { type: "synced", eventIds: before.outbox.map((e) => e.id) }, T0);
      expect(nextAlarm(r.state)).toBe(at);
      expect(step(r.state, { type: "alarm" }, at - 1).state.call.status).toBe(r.state.call.status);
      expect(step(r.state, { type: "alarm" }, at).state.call).toMatchObject({ status, error });
    },
  );
});

describe("media that stops without a close (a restart)", () => {
  const live = () => run(dialed, answered, mediaStarted, [{ type: "media_flowing" }, T0 + 9000]);

  it("ends failed/media_lost once no media was seen for MEDIA_SILENCE_MS, billed to the last media", () => {
    const s = step(live().state, { type: "synced", eventIds: [] }, T0 + 9000).state;
    const checkAt = T0 + 9000 + MEDIA_SILENCE_MS;
    expect(nextAlarm(s)).toBe(checkAt);
    expect(step(s, { type: "alarm" }, checkAt - 1).state.call.status).toBe("in_progress");
    const ended = step(s, { type: "alarm" }, checkAt);
    expect(ended.state.call).toMatchObject({
      status: "failed",
      error: "media_lost",
      endedAt: T0 + 9000,
      durationSec: 4,
    });
    expect(ended.commands).toContainEqual({
      type: "hang_up",
      providerCallId: "CA1",
      answered: true,
    });
  });

  it("media reported flowing keeps the call alive", () => {
    const r = run(dialed, answered, mediaStarted, [{ type: "media_flowing" }, T0 + 60_000]);
    expect(step(r.state, { type: "alarm" }, T0 + 70_000).state.call.status).toBe("in_progress");
  });

  it("a live call loaded again is marked interrupted, and its record says the recording is truncated", () => {
    const restored = step(live().state, { type: "restored" }, T0 + 9500);
    expect(restored.state.interrupted).toBe(true);
    const ringing = run(dialed);
    expect(step(ringing.state, { type: "restored" }, T0 + 500).state.interrupted).toBe(false);
  });

  it("keeps the recording's saved parts, for completing it after a restart", () => {
    const saved = { uploadId: "up1", parts: [{ partNumber: 1, etag: "e1" }] };
    const r = step(live().state, { type: "recording_saved", saved }, T0 + 9200);
    expect(r.state.recording).toEqual(saved);
    expect(r.commands).toEqual([]);
  });

  it("resync writes the row and the outbox again", () => {
    const s = step(live().state, { type: "synced", eventIds: [] }, T0 + 9000).state;
    const r = step(s, { type: "resync" }, T0 + 9100);
    expect(commandTypes(r.commands)).toEqual(["sync"]);
    expect(r.state.sync.behind).toBe(true);
  });
});
