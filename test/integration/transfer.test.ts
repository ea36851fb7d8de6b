/**
 * Transfer to a person (issue 15), through the public API with the simulated carrier and model:
 * the agent hands the call over when the person asks for a human and `transferTo` allows it; the
 * simulated carrier runs the <Dial> from our REST update, fetches the whisper (signed), and posts
 * the Dial's signed action callback. Plus the exact REST update against a fake Twilio, and forged
 * callbacks that change nothing.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CallParams } from "../../src/domain/call-params";
import { SIMULATOR_ACCOUNT_SID } from "../../src/env";
import { simulatedCallSid } from "../../src/http/simulated-carrier.routes";
import { PHONE_LINES } from "../../src/simulator/phone-lines";
import { callbackPaths } from "../../src/telephony/callback-paths";
import { carrierFor } from "../../src/telephony/provider";
import { twilioSignature } from "../../src/telephony/twilio/signature";
import { TRANSFER_LINE } from "../../src/voice/simulator/reactions";
import { admin, BASE, getCall, json, placeAndWait, setupAccount, signedCallback } from "../helpers";

const ANSWERED = "+14155550116";
const UNANSWERED = "+14155550117";
const HUMAN = "+14155550199";
const OBJECTIVE = "Confirm the delivery date of order 1234.";

type FarEnd = {
  keys_heard: string;
  transfer: {
    to: string;
    caller_id: string;
    time_limit: number;
    whisper: string | null;
    dial_call_status: string | null;
  } | null;
};

async function farEnd(id: string, to: string): Promise<FarEnd> {
  const sid = await simulatedCallSid(`${BASE}${callbackPaths(id).status}`, to);
  const res = await exports.default.fetch(
    new Request(
      `${BASE}/simulator/twilio/2010-04-01/Accounts/${SIMULATOR_ACCOUNT_SID}/Calls/${sid}.json`,
      {
        headers: {
          authorization: `Basic ${btoa(`${SIMULATOR_ACCOUNT_SID}:${env.SIMULATOR_AUTH_TOKEN}`)}`,
        },
      },
    ),
  );
  return (await json<{ simulator: FarEnd }>(res)).simulator;
}

const lines = (c: Record<string, unknown>) => String(c.transcript ?? "").split("\n");

describe("transfer to a person", () => {
  it("the agent says a short line, the call is handed over with a whisper, and the record has the transfer", async () => {
    const { key, accountId } = await setupAccount({ minuteCap: 2 });
    const done = await placeAndWait(
      key,
      {
        to: ANSWERED,
        objective: OBJECTIVE,
        transferTo: HUMAN,
        transferWhen: "if they ask for a person",
      },
      { timeoutMs: 25_000 },
    );
    expect(done.status).toBe("completed");
    expect(done.error).toBeNull();
    const transfer = done.transfer as Record<string, unknown>;
    expect(transfer).toEqual({
      to: HUMAN,
      atMs: expect.any(Number),
      outcome: "connected",
      durationSec: 3,
    });
    const text = lines(done);
    const asked = text.findIndex((l) => l.endsWith(`recipient: ${PHONE_LINES.wants_human}`));
    const said = text.findIndex((l) => l.endsWith(`agent: ${TRANSFER_LINE}`));
    const handed = text.findIndex((l) => l.endsWith(`agent: [transferring to ${HUMAN}]`));
    const connected = text.findIndex((l) => l.endsWith("recipient: [transfer connected, 3 s]"));
    // The key the person pressed (a dtmf frame of the stream) is in the transcript.
    expect(text.filter((l) => l.endsWith("recipient: [pressed 0]"))).toHaveLength(1);
    // (The person's line is placed where their speech began, which the meter can only estimate.)
    expect([asked >= 0, said >= 0, handed > said, connected > handed]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    // The carrier dialed the person with our caller ID, within the call's granted minutes, and
    // whispered what the call was about.
    const far = await farEnd(done.id, ANSWERED);
    expect(far.transfer).toMatchObject({
      to: HUMAN,
      caller_id: "+12025550143",
      dial_call_status: "completed",
    });
    expect(far.transfer?.time_limit).toBeGreaterThan(60);
    expect(far.transfer?.time_limit).toBeLessThanOrEqual(120 - 30);
    expect(far.transfer?.whisper).toContain(OBJECTIVE.replace(/\.$/, ""));
    // The person's leg lies within the call's billed length, and the minute cap counts it.
    expect(Number(done.durationSec)).toBeGreaterThanOrEqual(
      Math.floor(Number(transfer.atMs) / 1000) + 3,
    );
    const account = await json<{ minutesUsedThisPeriod: number }>(
      await admin("GET", `/accounts/${accountId}`),
    );
    expect(account.minutesUsedThisPeriod).toBe(Math.ceil(Number(done.durationSec) / 60));
  }, 30_000);

  it("a person who does not answer: the call ends and the record says no_answer", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: UNANSWERED, objective: OBJECTIVE, transferTo: HUMAN },
      { timeoutMs: 25_000 },
    );
    expect(done.status).toBe("completed");
    expect(done.transfer).toEqual({
      to: HUMAN,
      atMs: expect.any(Number),
      outcome: "no_answer",
      durationSec: 0,
    });
    expect(lines(done).at(-1)).toMatch(/recipient: \[transfer no answer\]$/);
    expect((await farEnd(done.id, UNANSWERED)).transfer?.whisper).toBeNull();
  }, 30_000);

  it("without transferTo the tool is not offered: the agent says so and ends the call", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: ANSWERED, objective: OBJECTIVE },
      { timeoutMs: 25_000 },
    );
    expect(done.status).toBe("completed");
    expect(done.transfer).toBeNull();
    expect((await farEnd(done.id, ANSWERED)).transfer).toBeNull();
  }, 30_000);

  it("a forged or mismatched Dial action callback is refused and changes nothing", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: UNANSWERED, objective: OBJECTIVE, transferTo: HUMAN },
      { timeoutMs: 25_000 },
    );
    const params = { CallSid: "CAforged", DialCallStatus: "completed", DialCallDuration: "600" };
    const forged = await signedCallback(done.id, params, "dial", "not-the-token");
    expect(forged.status).toBe(403);
    const wrongCall = await signedCallback(done.id, params, "dial");
    expect(wrongCall.status).toBe(403);
    const whisper = await signedCallback(done.id, {}, "whisper", "not-the-token");
    expect(whisper.status).toBe(403);
    const after = await getCall(key, done.id);
    expect(after.transfer).toEqual(done.transfer);
  }, 30_000);
});

describe("the transfer's REST update against a fake Twilio", () => {
  it("posts exactly the Dial TwiML to /Calls/{sid}.json with the call's caller ID and limits", async () => {
    const seen: { url: string; auth: string | null; form: [string, string][] }[] = [];
    const carrier = carrierFor(
      {
        provider: "twilio",
        apiBase: "https://twilio.fake",
        accountSid: "AC123",
        authToken: "tok",
        sharedKeySecret: undefined,
      },
      "https://api.test",
      async (req) => {
        seen.push({
          url: req.url,
          auth: req.headers.get("authorization"),
          form: [...(await req.formData()).entries()].map(([k, v]) => [k, String(v)]),
        });
        return Response.json({ sid: "CA1", status: "in-progress" });
      },
      { ringTimeoutSec: 30, maxCallSec: 600 },
    );
    const call = {
      callId: "6f1c2a3b-0000-4000-8000-000000000116",
      publicBaseUrl: "https://api.test",
    };
    await carrier.transfer(call as CallParams, "CA1", {
      to: HUMAN,
      callerId: "+12025550143",
      ringSec: 30,
      timeLimitSec: 90,
    });
    expect(seen).toEqual([
      {
        url: "https://twilio.fake/2010-04-01/Accounts/AC123/Calls/CA1.json",
        auth: `Basic ${btoa("AC123:tok")}`,
        form: [
          [
            "Twiml",
            '<Response><Dial callerId="+12025550143" timeout="30" timeLimit="90" ' +
              `action="https://api.test/telephony/twilio/dial/${call.callId}" method="POST">` +
              `<Number url="https://api.test/telephony/twilio/whisper/${call.callId}" method="POST">` +
              `${HUMAN}</Number></Dial></Response>`,
          ],
        ],
      },
    ]);
  });

  it("answers a signed Dial action with TwiML that hangs up, and a signed whisper request with a <Say>", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: ANSWERED, objective: OBJECTIVE, transferTo: HUMAN },
      { timeoutMs: 25_000 },
    );
    // A signed Dial action for the call (a replay here: the transfer is already recorded).
    const sid = await simulatedCallSid(`${BASE}${callbackPaths(done.id).status}`, ANSWERED);
    const action = await signedCallback(
      done.id,
      { CallSid: sid, DialCallStatus: "busy", DialCallDuration: "0" },
      "dial",
    );
    expect(action.status).toBe(200);
    expect(action.headers.get("content-type")).toContain("text/xml");
    expect(await action.text()).toBe("<Response><Hangup/></Response>");
    expect((await getCall(key, done.id)).transfer).toEqual(done.transfer);
    const url = `${BASE}/telephony/twilio/whisper/${done.id}`;
    const res = await exports.default.fetch(
      new Request(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": await twilioSignature(env.SIMULATOR_AUTH_TOKEN, url, {}),
        },
        body: "",
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(await res.text()).toMatch(
      /^<Response><Say>An AI assistant is transferring a call to you about: Confirm the delivery date of order 1234; .*<\/Say><\/Response>$/,
    );
  }, 30_000);
});
