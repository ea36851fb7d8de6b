/**
 * Transfer to a person (issue 15) as pure rules: the tool offered only with transferTo, the
 * engine's hand-over command with a time limit within the granted length, the media stream's end
 * not ending the call while the Dial runs, the Dial's outcome on the record; and the TwiML both
 * ways.
 */
import { describe, expect, it } from "vitest";
import { toolsFor } from "../../src/domain/agent-tools";
import {
  type SessionCommand,
  type SessionInput,
  type SessionState,
  startSession,
  step,
} from "../../src/domain/call-engine";
import { NO_OUTPUTS } from "../../src/domain/call-record";
import { transferOutcomeOf, whisperFor } from "../../src/domain/transfer";
import {
  HANGUP_TWIML,
  parseTransferTwiml,
  parseTwimlSay,
  sayTwiml,
  transferTwiml,
} from "../../src/telephony/twilio/twiml";
import { callParams, SETTINGS, T0 } from "./engine-fixtures";

const ANSWER = T0 + 5000;
const PARAMS = callParams({
  callId: "6f1c2a3b-0000-4000-8000-000000000116",
  to: "+14155550116",
  objective: "Confirm the delivery date of order 1234.",
  webhookUrl: null,
  transferTo: "+14155550199",
});

function live(rows: [SessionInput, number][], params = PARAMS, grantedMs = 120_000) {
  let state: SessionState = startSession(params, SETTINGS, T0).state;
  const all: [SessionInput, number][] = [
    [{ type: "dial_succeeded", providerCallId: "CA1" }, T0 + 100],
    [
      { type: "carrier", signal: { kind: "answered" }, callSid: "CA1", dedupeKey: "a", grantedMs },
      ANSWER,
    ],
    [{ type: "media_started" }, ANSWER + 100],
    ...rows,
  ];
  const commands: SessionCommand[] = [];
  for (const [input, at] of all) {
    const r = step(state, input, at);
    state = r.state;
    if (at > ANSWER + 100) commands.push(...r.commands);
  }
  return { state, commands };
}

const transferCall: SessionInput = {
  type: "tool_called",
  call: { id: "fc_t", name: "transfer_call", args: { reason: "asked for a person" } },
};

describe("transfer_call", () => {
  it("is offered only when the request has transferTo", () => {
    expect(toolsFor(PARAMS).map((t) => t.name)).toContain("transfer_call");
    expect(toolsFor({ ...PARAMS, transferTo: null }).map((t) => t.name)).not.toContain(
      "transfer_call",
    );
    const { commands } = live([[transferCall, ANSWER + 4000]], { ...PARAMS, transferTo: null });
    expect(commands).toEqual([
      expect.objectContaining({ type: "tool_result", result: { error: "not_offered" } }),
    ]);
  });

  it("hands over with the call's caller ID and what is left of its granted length", () => {
    const { state, commands } = live([[transferCall, ANSWER + 20_000]]);
    expect(commands[0]).toEqual({
      type: "transfer",
      providerCallId: "CA1",
      to: "+14155550199",
      callerId: "+12025550143",
      // 120 s granted, 20 s gone, 30 s of ringing kept out of it.
      timeLimitSec: 70,
      ringSec: 30,
    });
    expect(state.transfer).toMatchObject({ to: "+14155550199", atMs: 20_000, outcome: null });
    expect(state.lines.at(-1)).toEqual({
      speaker: "agent",
      text: "[transferring to +14155550199]",
      offsetMs: 20_000,
    });
    // A second request changes nothing; too little time left refuses it.
    expect(
      live([
        [transferCall, ANSWER + 20_000],
        [transferCall, ANSWER + 21_000],
      ]).commands.at(-1),
    ).toMatchObject({ result: { error: "already_transferred" } });
    expect(live([[transferCall, ANSWER + 85_000]]).commands).toEqual([
      expect.objectContaining({ result: { error: "no_time_left" } }),
    ]);
  });

  it("the media stream's end does not end the call while the Dial runs; its outcome does", () => {
    const { state } = live([
      [transferCall, ANSWER + 20_000],
      [{ type: "media_ended", stopped: true }, ANSWER + 20_500],
    ]);
    expect(state.call.status).toBe("in_progress");
    expect(state.call.deadline?.at).toBe(ANSWER + 20_500 + (70 + 30) * 1000 + 10_000);
    const ended = step(
      state,
      { type: "transfer_ended", outcome: "connected", durationSec: 42 },
      ANSWER + 70_000,
    ).state;
    expect(ended.transfer).toMatchObject({ outcome: "connected", durationSec: 42 });
    expect(ended.call.deadline?.at).toBe(ANSWER + 80_000);
    // A replayed outcome changes nothing.
    const again = step(
      ended,
      { type: "transfer_ended", outcome: "busy", durationSec: 0 },
      ANSWER + 71_000,
    ).state;
    expect(again.transfer?.outcome).toBe("connected");
    const done = step(
      step(
        again,
        {
          type: "carrier",
          signal: { kind: "ended", outcome: "completed", durationSec: 66 },
          callSid: "CA1",
          dedupeKey: "end",
        },
        ANSWER + 72_000,
      ).state,
      { type: "post_call_done", outputs: NO_OUTPUTS },
      ANSWER + 73_000,
    ).state;
    expect(done.call.status).toBe("completed");
    expect(done.outputs.transfer).toEqual({
      to: "+14155550199",
      atMs: 20_000,
      outcome: "connected",
      durationSec: 42,
    });
  });

  it("a refused call update is a failed transfer the model is told about; the call goes on", () => {
    const { state, commands } = live([
      [transferCall, ANSWER + 20_000],
      [{ type: "transfer_failed" }, ANSWER + 20_300],
    ]);
    expect(state.call.status).toBe("in_progress");
    expect(state.transfer?.outcome).toBe("failed");
    expect(commands.at(-1)).toMatchObject({ type: "inform_model" });
  });

  it("maps Twilio's DialCallStatus and writes a one-sentence whisper", () => {
    expect(
      ["completed", "answered", "no-answer", "busy", "failed", "canceled", ""].map(
        transferOutcomeOf,
      ),
    ).toEqual(["connected", "connected", "no_answer", "busy", "failed", "failed", "failed"]);
    expect(whisperFor(PARAMS, "asked for a person")).toBe(
      "An AI assistant is transferring a call to you about: Confirm the delivery date of order 1234; the person asked to speak with someone (asked for a person).",
    );
  });
});

describe("transfer TwiML", () => {
  it("round-trips the Dial, escaped, and the whisper's Say", () => {
    const dial = {
      to: "+14155550199",
      callerId: "+12025550143",
      ringSec: 30,
      timeLimitSec: 70,
      actionUrl: "https://api.test/telephony/twilio/dial/x?a=1&b=2",
      whisperUrl: "https://api.test/telephony/twilio/whisper/x",
    };
    const twiml = transferTwiml(dial);
    expect(twiml).toContain('action="https://api.test/telephony/twilio/dial/x?a=1&amp;b=2"');
    expect(parseTransferTwiml(twiml)).toEqual(dial);
    expect(parseTwimlSay(sayTwiml('Order "1234" <urgent> & more'))).toBe(
      'Order "1234" <urgent> & more',
    );
    expect(HANGUP_TWIML).toBe("<Response><Hangup/></Response>");
  });
});
