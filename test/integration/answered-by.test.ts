/**
 * Who answered, told truthfully (issue 14), through the public API against the simulated carrier
 * and model: for every answering machine and screener row, with both voicemail actions, the
 * status, answeredBy with its source, the voicemail message, the terminal webhook event, and
 * (from what the simulated line saw, through the simulator's own API) that no agent audio reached
 * the phone between a machine verdict and the beep.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNT_SID } from "../../src/env";
import { PHONE_LINES } from "../../src/simulator/phone-lines";
import type { LineObservations } from "../../src/telephony/simulator/simulated-carrier.do";
import {
  admin,
  BASE,
  type CallOut,
  call,
  json,
  placeCall,
  setupAccount,
  VALID_CALL,
  waitForTerminal,
} from "../helpers";

let key: string;

beforeAll(async () => {
  ({ key } = await setupAccount());
});

const MESSAGE = "Hi, this is Sunny Dental about your appointment. Please call us back. Thank you.";
const CONTEXT = "The patient owes 120 dollars; never mention it.";

type Leave = { action: "leave_message"; message?: string };
type Voicemail = { action: "hangup" } | Leave;

async function observed(callId: string): Promise<LineObservations> {
  const row = await env.DB.prepare("SELECT provider_call_id FROM calls WHERE id = ?")
    .bind(callId)
    .first<{ provider_call_id: string }>();
  const res = await exports.default.fetch(
    new Request(
      `${BASE}/simulator/twilio/2010-04-01/Accounts/${SIMULATOR_ACCOUNT_SID}/Calls/${row?.provider_call_id}.json`,
      {
        headers: {
          authorization: `Basic ${btoa(`${SIMULATOR_ACCOUNT_SID}:${env.SIMULATOR_AUTH_TOKEN}`)}`,
        },
      },
    ),
  );
  expect(res.status).toBe(200);
  return (await json<{ simulator: LineObservations }>(res)).simulator;
}

/** Places a call to `to` with `voicemail`, waits for its end; the record and what the line saw. */
async function run(to: string, voicemail: Voicemail) {
  const id = await placeCall(key, { ...VALID_CALL, to, context: CONTEXT, voicemail });
  const done = await waitForTerminal(key, id, { timeoutMs: 30_000 });
  const log = await json<{ events: { type: string; payload: { data: { call: CallOut } } }[] }>(
    await call("GET", `/v1/agent/calls/${id}/events`, { token: key }),
  );
  return { done, line: await observed(id), terminal: log.events.at(-1) };
}

/** Agent audio the phone received after the machine verdict and before the beep began. */
function overGreeting(done: CallOut, line: LineObservations): number[] {
  const beepAt = line.timeline.find((e) => e.event === "beep")?.atMs ?? Number.POSITIVE_INFINITY;
  const verdictAt = done.answeredByMs as number;
  return line.agentAudioMs.filter((t) => t > verdictAt && t < beepAt);
}

const HANGUP = { action: "hangup" } as const;
const LEAVE_GIVEN: Leave = { action: "leave_message", message: MESSAGE };
const LEAVE_COMPOSED: Leave = { action: "leave_message" };

// The rows' calls run at once: each waits on real-time greetings and tones, not on the CPU, and
// takes longer than the suite's default test timeout (more so on a loaded machine).
describe.concurrent("answered by, and the voicemail message, per simulated answerer", {
  timeout: 40_000,
}, () => {
  it("voicemail (+14155550101): AMD wins with hangup; the model, then the beep, with a message", async () => {
    const [hangup, given, composed] = await Promise.all([
      run("+14155550101", HANGUP),
      run("+14155550101", LEAVE_GIVEN),
      run("+14155550101", LEAVE_COMPOSED),
    ]);
    expect(hangup.done).toMatchObject({
      status: "voicemail",
      answeredBy: "voicemail",
      answeredBySource: "carrier",
      voicemailMessage: null,
    });
    for (const { done, line, terminal } of [given, composed]) {
      expect(done).toMatchObject({
        status: "voicemail",
        answeredBy: "voicemail",
        answeredBySource: "agent",
        voicemailMessage: { left: true },
      });
      const message = done.voicemailMessage as { beepMs: number; spokenMs: number };
      expect(message.spokenMs).toBeGreaterThanOrEqual(message.beepMs);
      expect(message.beepMs).toBeGreaterThan(done.answeredByMs as number);
      expect(overGreeting(done, line)).toEqual([]);
      // Agent audio after the beep: the message itself.
      const beepAt = line.timeline.find((e) => e.event === "beep")?.atMs as number;
      expect(line.agentAudioMs.some((t) => t >= beepAt)).toBe(true);
      expect(terminal?.type).toBe("call.voicemail");
      expect(terminal?.payload.data.call).toMatchObject({
        answeredBy: "voicemail",
        answeredBySource: "agent",
        voicemailMessage: done.voicemailMessage,
      });
    }
    expect((given.done.voicemailMessage as { text: string }).text).toBe(MESSAGE);
    const own = (composed.done.voicemailMessage as { text: string }).text;
    expect(own).toContain("+12025550143");
    expect(own).not.toContain("120 dollars");
  });

  it("voicemail whose beep AMD misses (+14155550108): our beep detector opens the way", async () => {
    const [hangup, leave] = await Promise.all([
      run("+14155550108", HANGUP),
      run("+14155550108", LEAVE_GIVEN),
    ]);
    expect(hangup.done).toMatchObject({
      status: "voicemail",
      answeredBy: "voicemail",
      answeredBySource: "agent",
      voicemailMessage: null,
    });
    expect(leave.done).toMatchObject({
      status: "voicemail",
      answeredBy: "voicemail",
      answeredBySource: "agent",
      voicemailMessage: { left: true, text: MESSAGE },
    });
    // The message went out before AMD's late machine_end_other.
    const amdAt = leave.line.timeline.find((e) => e.event === "amd:machine_end_other")?.atMs;
    const spokenMs = (leave.done.voicemailMessage as { spokenMs: number }).spokenMs;
    if (amdAt !== undefined) expect(spokenMs).toBeLessThan(amdAt);
    expect(overGreeting(leave.done, leave.line)).toEqual([]);
  });

  it("a full mailbox (+14155550109): voicemail, and no message could be left", async () => {
    const [hangup, leave] = await Promise.all([
      run("+14155550109", HANGUP),
      run("+14155550109", LEAVE_GIVEN),
    ]);
    expect(hangup.done).toMatchObject({
      status: "voicemail",
      answeredBy: "voicemail",
      answeredBySource: "carrier",
      voicemailMessage: null,
    });
    expect(leave.done).toMatchObject({
      status: "voicemail",
      answeredBy: "voicemail",
      answeredBySource: "agent",
      voicemailMessage: { left: false, reason: "mailbox_full" },
    });
    expect(overGreeting(leave.done, leave.line)).toEqual([]);
  });

  it("a call screener that puts the person through (+14155550110): an ordinary call", async () => {
    const [hangup, leave] = await Promise.all([
      run("+14155550110", HANGUP),
      run("+14155550110", LEAVE_GIVEN),
    ]);
    for (const { done } of [hangup, leave]) {
      expect(done).toMatchObject({
        status: "completed",
        answeredBy: "call_screener",
        answeredBySource: "agent",
        voicemailMessage: null,
      });
      // The screener, the agent's answer, then the person.
      const transcript = String(done.transcript);
      const asked = transcript.indexOf(PHONE_LINES.screener_ask);
      const person = transcript.indexOf(PHONE_LINES.screened_person);
      expect(asked).toBeGreaterThanOrEqual(0);
      expect(person).toBeGreaterThan(asked);
      expect(transcript.slice(asked, person)).toContain("agent: This is an AI assistant");
    }
  });

  it("a call screener that takes a message (+14155550111): voicemail with one, else no_answer", async () => {
    const [hangup, leave] = await Promise.all([
      run("+14155550111", HANGUP),
      run("+14155550111", LEAVE_GIVEN),
    ]);
    expect(hangup.done).toMatchObject({
      status: "no_answer",
      answeredBy: "call_screener",
      answeredBySource: "agent",
      voicemailMessage: null,
    });
    expect(leave.done).toMatchObject({
      status: "voicemail",
      answeredBy: "call_screener",
      answeredBySource: "agent",
      voicemailMessage: { left: true, text: MESSAGE },
    });
  });

  it("a fax machine (+14155550112): AMD says fax; no message can be left", async () => {
    const [hangup, leave] = await Promise.all([
      run("+14155550112", HANGUP),
      run("+14155550112", LEAVE_GIVEN),
    ]);
    expect(hangup.done).toMatchObject({
      status: "voicemail",
      answeredBy: "fax",
      answeredBySource: "carrier",
      voicemailMessage: null,
    });
    expect(leave.done).toMatchObject({
      status: "voicemail",
      answeredBy: "fax",
      answeredBySource: "carrier",
      voicemailMessage: { left: false, reason: "no_beep" },
    });
    expect(leave.line.agentAudioMs.filter((t) => t > (leave.done.answeredByMs as number))).toEqual(
      [],
    );
  });

  it("an ordinary number: a person, told by the model; no voicemail message", async () => {
    const id = await placeCall(key, { ...VALID_CALL, voicemail: LEAVE_GIVEN });
    const done = await waitForTerminal(key, id, { timeoutMs: 30_000 });
    expect(done).toMatchObject({
      status: "completed",
      answeredBy: "human",
      answeredBySource: "agent",
      voicemailMessage: null,
    });
  });

  it("a key's default voicemail applies when a placement names none", async () => {
    const { key: keyed, keyId } = await setupAccount();
    expect(
      (await admin("PATCH", `/keys/${keyId}`, { voicemail: { action: "shout" } })).status,
    ).toBe(400);
    const changed = await admin("PATCH", `/keys/${keyId}`, { voicemail: LEAVE_GIVEN });
    expect(await changed.json()).toMatchObject({ voicemail: { ...LEAVE_GIVEN } });
    const [byDefault, overridden] = await Promise.all(
      [{}, { voicemail: HANGUP }].map(async (extra) =>
        waitForTerminal(
          keyed,
          await placeCall(keyed, { ...VALID_CALL, to: "+14155550109", ...extra }),
          { timeoutMs: 30_000 },
        ),
      ),
    );
    expect(byDefault?.voicemailMessage).toEqual({ left: false, reason: "mailbox_full" });
    expect(overridden?.voicemailMessage).toBeNull();
  });

  it("a malformed voicemail field is refused with invalid_voicemail", async () => {
    const bad = [
      { action: "voicemail" },
      "leave_message",
      { action: "leave_message", message: "x".repeat(1001) },
      { action: "leave_message", message: 5 },
      { action: "leave_message", message: "   " },
    ];
    const answers = await Promise.all(
      bad.map((voicemail) =>
        call("POST", "/v1/agent/calls", { token: key, body: { ...VALID_CALL, voicemail } }),
      ),
    );
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "invalid_voicemail" });
    }
  });
});
