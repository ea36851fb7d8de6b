/**
 * Live transcript events (`liveEvents: ["transcript"]`) as the engine decides them: lines numbered
 * in the order they finished, at most one `call.transcript` event a second, waiting lines flushed
 * by the alarm or before the terminal event, nothing for a call that did not ask.
 */
import { describe, expect, it } from "vitest";
import {
  nextAlarm,
  type SessionInput,
  type SessionState,
  startSession,
  step,
} from "../../src/domain/call-engine";
import type { CallParams } from "../../src/domain/call-params";
import { NO_OUTPUTS } from "../../src/domain/call-record";
import type { SequencedLine } from "../../src/domain/live-transcript";
import type { WebhookEvent } from "../../src/domain/webhook-event";
import { callParams, SETTINGS, T0 } from "./engine-fixtures";

const ANSWERED = T0 + 5000;
const PARAMS = callParams({
  callId: "6f1c2a3b-0000-4000-8000-000000000002",
  liveEvents: ["transcript"],
});

/** A live call: dialed, answered at ANSWERED, media flowing. */
function liveCall(params: CallParams = PARAMS): SessionState {
  let state = startSession(params, SETTINGS, T0).state;
  const inputs: [SessionInput, number][] = [
    [{ type: "dial_succeeded", providerCallId: "CA1" }, T0 + 100],
    [
      {
        type: "carrier",
        signal: { kind: "answered" },
        callSid: "CA1",
        dedupeKey: "status:2:in-progress",
        grantedMs: 120_000,
      },
      ANSWERED,
    ],
    [{ type: "media_started" }, ANSWERED + 100],
  ];
  for (const [input, at] of inputs) state = step(state, input, at).state;
  return state;
}

/** A line finished `at` ms after the answer, fed to the engine at that moment. */
function say(state: SessionState, text: string, at: number) {
  const speaker = text.startsWith("A:") ? "agent" : "recipient";
  return step(
    state,
    { type: "transcript_line", line: { speaker, text: text.slice(2), offsetMs: at } },
    ANSWERED + at,
  );
}

const transcriptEvents = (s: SessionState): WebhookEvent[] =>
  s.outbox.filter((e) => e.type === "call.transcript");
const linesOf = (e: WebhookEvent | undefined): SequencedLine[] => e?.data.lines ?? [];

describe("call.transcript events", () => {
  it("sends the first line at once, as its own event, numbered 1, with a sync", () => {
    const r = say(liveCall(), "A:Hello, this is an AI assistant.", 400);
    const [event] = transcriptEvents(r.state);
    expect(linesOf(event)).toEqual([
      { speaker: "agent", text: "Hello, this is an AI assistant.", offsetMs: 400, sequence: 1 },
    ]);
    expect(event?.data.call).toBeUndefined();
    expect(event?.timestamp).toBe(new Date(ANSWERED + 400).toISOString());
    expect(r.commands.map((c) => c.type)).toContain("sync");
  });

  it("holds lines within a second of the last event; the alarm sends them together", () => {
    let s = say(liveCall(), "A:Hello.", 400).state;
    s = say(s, "R:Hi, Luigi's.", 900).state;
    s = say(s, "A:A table for four?", 1300).state;
    expect(transcriptEvents(s)).toHaveLength(1);
    expect(nextAlarm(s)).toBe(ANSWERED + 1400);

    const early = step(s, { type: "alarm" }, ANSWERED + 1399).state;
    expect(transcriptEvents(early)).toHaveLength(1);
    const due = step(s, { type: "alarm" }, ANSWERED + 1400);
    const second = transcriptEvents(due.state)[1];
    expect(linesOf(second).map((l) => [l.sequence, l.text])).toEqual([
      [2, "Hi, Luigi's."],
      [3, "A table for four?"],
    ]);
    expect(due.commands.map((c) => c.type)).toContain("sync");
  });

  it("never sends two events within a second, and numbers every line once, without gaps", () => {
    let s = liveCall();
    // A line every 150 ms for 6 s, the alarm run whenever the engine asks for it.
    for (let at = 100; at <= 6100; at += 150) {
      const alarmAt = nextAlarm(s);
      if (alarmAt !== null && alarmAt <= ANSWERED + at)
        s = step(s, { type: "alarm" }, alarmAt).state;
      s = say(s, `R:line at ${at}`, at).state;
    }
    s = step(s, { type: "agent_hung_up" }, ANSWERED + 6200).state;
    s = step(s, { type: "post_call_done", outputs: NO_OUTPUTS }, ANSWERED + 6300).state;

    const events = transcriptEvents(s);
    // The last one carries the lines still waiting at the end, sent before the terminal event.
    const times = events.map((e) => Date.parse(e.timestamp));
    for (let i = 1; i < times.length - 1; i++)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
    const sequences = events.flatMap((e) => linesOf(e).map((l) => l.sequence));
    expect(sequences).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  });

  it("sends the lines still waiting before the terminal event, and none after it", () => {
    let s = say(liveCall(), "A:Hello.", 400).state;
    s = say(s, "R:Goodbye.", 800).state;
    s = step(s, { type: "agent_hung_up" }, ANSWERED + 900).state;
    s = step(s, { type: "post_call_done", outputs: NO_OUTPUTS }, ANSWERED + 1000).state;
    s = say(s, "R:(late transcription)", 950).state;

    const types = s.outbox.map((e) => e.type);
    const terminal = types.indexOf("call.completed");
    expect(types.lastIndexOf("call.transcript")).toBeLessThan(terminal);
    expect(transcriptEvents(s).flatMap((e) => linesOf(e).map((l) => l.text))).toEqual([
      "Hello.",
      "Goodbye.",
    ]);
    // Once D1 has every event, nothing is left for the alarm to do.
    const synced = step(
      s,
      { type: "synced", eventIds: s.outbox.map((e) => e.id) },
      ANSWERED + 1100,
    );
    expect(nextAlarm(synced.state)).toBeNull();
  });

  it("sends no transcript event for a call that did not ask for them", () => {
    const { liveEvents: _, ...quiet } = PARAMS;
    let s = say(liveCall(quiet), "A:Hello.", 400).state;
    s = say(s, "R:Hi.", 2000).state;
    expect(transcriptEvents(s)).toEqual([]);
    // The live stream still numbers its lines.
    const streamed = s.liveLog.filter((e) => e.type === "call.transcript").map((e) => e.data);
    expect(streamed.map((d) => d.sequence)).toEqual([1, 2]);
  });
});
