/**
 * Who answered (domain/answering.ts): the first sure verdict wins whatever its source, a machine
 * verdict closes the way to the phone until the greeting ends when a message is to be left, and
 * the status and voicemail message follow from what happened.
 */
import { describe, expect, it } from "vitest";
import {
  type Answering,
  answererOfAmd,
  answerView,
  GREETING_BOUND_MS,
  greetingEnded,
  greetingOverdue,
  NO_ANSWERING,
  settledStatus,
  type VoicemailSetting,
  verdict,
} from "../../src/domain/answering";

const HANGUP: VoicemailSetting = { action: "hangup", message: null };
const LEAVE: VoicemailSetting = { action: "leave_message", message: "Call us back." };
const T = 1_000_000;

describe("verdicts", () => {
  it("maps Twilio's AnsweredBy; machine_end_* also ends the greeting", () => {
    expect(answererOfAmd("machine_start")).toEqual({ by: "voicemail", greetingEnded: false });
    expect(answererOfAmd("machine_end_beep")).toEqual({ by: "voicemail", greetingEnded: true });
    expect(answererOfAmd("machine_end_other")).toEqual({ by: "voicemail", greetingEnded: true });
    expect(answererOfAmd("fax").by).toBe("fax");
    expect(answererOfAmd("human").by).toBe("human");
    expect(answererOfAmd("unknown").by).toBe("unknown");
  });

  it("keeps the first sure verdict; unknown is not one", () => {
    const unsure = verdict(NO_ANSWERING, "unknown", "carrier", 900, T, HANGUP).answering;
    const agent = verdict(unsure, "human", "agent", 1500, T, HANGUP).answering;
    const late = verdict(agent, "voicemail", "carrier", 2500, T, HANGUP);
    expect(late.answering).toMatchObject({ by: "human", ms: 1500, source: "agent" });
    expect(late.actions).toEqual([]);
  });

  it("hangs up on a machine or a fax, unless a message is to be left after the greeting", () => {
    expect(verdict(NO_ANSWERING, "voicemail", "carrier", 1200, T, HANGUP).actions).toEqual([
      { type: "end_as_machine" },
    ]);
    expect(verdict(NO_ANSWERING, "fax", "carrier", 1200, T, LEAVE).actions).toEqual([
      { type: "end_as_machine" },
    ]);
    const waiting = verdict(NO_ANSWERING, "voicemail", "agent", 1200, T, LEAVE);
    expect(waiting.actions).toEqual([{ type: "close_gate" }]);
    expect(waiting.answering).toMatchObject({
      message: "awaiting_greeting_end",
      greetingDeadline: T + GREETING_BOUND_MS,
    });
  });

  it("a person after a screener is heard from the model only", () => {
    const screener = verdict(NO_ANSWERING, "call_screener", "agent", 2000, T, HANGUP).answering;
    expect(verdict(screener, "human", "carrier", 3000, T, HANGUP).answering.personReached).toBe(
      false,
    );
    expect(verdict(screener, "human", "agent", 6000, T, HANGUP).answering).toMatchObject({
      by: "call_screener",
      personReached: true,
    });
  });
});

describe("the greeting's end", () => {
  const waiting = verdict(NO_ANSWERING, "voicemail", "agent", 1200, T, LEAVE).answering;

  it("opens the way for the message once, at the beep", () => {
    const ended = greetingEnded(waiting, "beep", 4700, T + 3500, LEAVE);
    expect(ended.actions).toEqual([{ type: "leave_message" }]);
    expect(ended.answering).toMatchObject({ message: "speaking", beepMs: 4700 });
    expect(greetingEnded(ended.answering, "carrier", 5600, T + 4400, LEAVE).actions).toEqual([]);
  });

  it("a beep with no verdict yet is a machine, heard by our side", () => {
    const ended = greetingEnded(NO_ANSWERING, "beep", 4700, T, LEAVE);
    expect(ended.answering).toMatchObject({ by: "voicemail", source: "agent", ms: 4700 });
    expect(ended.actions).toEqual([{ type: "close_gate" }, { type: "leave_message" }]);
  });

  it("a screener's tone: a message, or we hang up", () => {
    const screener = verdict(NO_ANSWERING, "call_screener", "agent", 2000, T, LEAVE).answering;
    expect(greetingEnded(screener, "beep", 7000, T, LEAVE).actions).toEqual([
      { type: "leave_message" },
    ]);
    expect(greetingEnded(screener, "beep", 7000, T, HANGUP).actions).toEqual([{ type: "hang_up" }]);
  });

  it("long silence after the greeting ends it too, but is no verdict by itself", () => {
    expect(greetingEnded(waiting, "silence", 9000, T + 7800, LEAVE).actions).toEqual([
      { type: "leave_message" },
    ]);
    expect(greetingEnded(NO_ANSWERING, "silence", 9000, T, LEAVE)).toEqual({
      answering: NO_ANSWERING,
      actions: [],
    });
  });

  it("gives up waiting after the bound", () => {
    expect(greetingOverdue(waiting, T + GREETING_BOUND_MS - 1).actions).toEqual([]);
    expect(greetingOverdue(waiting, T + GREETING_BOUND_MS).actions).toEqual([{ type: "hang_up" }]);
  });
});

describe("status and the voicemail message", () => {
  const line = (offsetMs: number, text: string) => ({ speaker: "agent" as const, offsetMs, text });
  const speaking: Answering = {
    ...NO_ANSWERING,
    by: "voicemail",
    ms: 1200,
    source: "agent",
    message: "speaking",
    beepMs: 4700,
  };

  it("settles completed calls by who answered", () => {
    expect(settledStatus(speaking, "completed")).toBe("voicemail");
    expect(settledStatus(speaking, "failed")).toBe("failed");
    const screener: Answering = { ...NO_ANSWERING, by: "call_screener" };
    expect(settledStatus(screener, "completed")).toBe("no_answer");
    expect(settledStatus({ ...screener, message: "speaking" }, "completed")).toBe("voicemail");
    expect(settledStatus({ ...screener, personReached: true }, "completed")).toBe("completed");
  });

  it("the message is what the agent said after the beep", () => {
    const lines = [line(300, "Hello, this is an AI assistant."), line(4710, "Call us back.")];
    expect(answerView(speaking, LEAVE, true, lines).voicemailMessage).toEqual({
      left: true,
      beepMs: 4700,
      spokenMs: 4710,
      text: "Call us back.",
    });
    expect(answerView(speaking, HANGUP, true, lines).voicemailMessage).toBeNull();
  });

  it("says why no message was left", () => {
    const waiting: Answering = { ...speaking, message: "awaiting_greeting_end", beepMs: null };
    const reason = (a: Answering) => answerView(a, LEAVE, true, []).voicemailMessage;
    expect(reason(waiting)).toEqual({ left: false, reason: "no_beep" });
    expect(reason({ ...waiting, mailboxFull: true })).toEqual({
      left: false,
      reason: "mailbox_full",
    });
    expect(reason({ ...waiting, farEndHungUp: true })).toEqual({ left: false, reason: "hung_up" });
    expect(reason({ ...waiting, by: "human" })).toBeNull();
  });

  it("answeredBy is null until answered, then unknown without a verdict", () => {
    expect(answerView(NO_ANSWERING, HANGUP, false, []).answeredBy).toBeNull();
    expect(answerView(NO_ANSWERING, HANGUP, true, []).answeredBy).toBe("unknown");
  });
});

describe("the system prompt's rules on who answered", () => {
  it("asks for report_answerer, a screener's answer, and the voicemail rule of the call", async () => {
    const { buildSystemPrompt } = await import("../../src/voice/system-prompt");
    const base = { objective: "Book a table.", context: null, language: "en-US" };
    const hangup = buildSystemPrompt(base);
    expect(hangup).toMatch(/report_answerer/);
    expect(hangup).toMatch(
      /call screener[^\n]*who you are calling for and why[^\n]*do not hang up/,
    );
    expect(hangup).toMatch(/voicemail[^\n]*leave no message and call end_call/);
    const leave = buildSystemPrompt({ ...base, voicemail: LEAVE });
    expect(leave).toMatch(
      /say nothing over the greeting; when told it has ended, leave the message/,
    );
    expect(leave).not.toMatch(/leave no message/);
  });
});
