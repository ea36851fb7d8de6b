/**
 * Through the phone tree (issue 15), through the public API with the simulated carrier and voice
 * model: the simulated menus decode the keys from the agent's audio (Goertzel), and the simulator's
 * fetch of the call (Twilio's GET /Calls/{sid}.json) reports what they heard.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNT_SID } from "../../src/env";
import { simulatedCallSid } from "../../src/http/simulated-carrier.routes";
import { PHONE_LINES } from "../../src/simulator/phone-lines";
import { callbackPaths } from "../../src/telephony/callback-paths";
import { BASE, call, json, placeAndWait, setupAccount, VALID_CALL } from "../helpers";

const MENU = "+14155550113";
const HOLD = "+14155550114";
const LOOP = "+14155550115";
const RESERVATION = "Make a reservation: a table for 4 at 7 PM Friday, under the name Smith.";
const OPENING_HOURS = "Ask for their opening hours on Sunday.";

/** The keys the simulated far end decoded from the agent's audio. */
async function keysHeard(id: string, to: string): Promise<string> {
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
  expect(res.status).toBe(200);
  return (await json<{ simulator: { keys_heard: string } }>(res)).simulator.keys_heard;
}

const lines = (c: Record<string, unknown>) => String(c.transcript ?? "").split("\n");
const pressedLines = (c: Record<string, unknown>) =>
  lines(c).filter((l) => / agent: \[pressed [0-9*#]+\]$/.test(l));

describe("a phone menu", () => {
  it("the agent listens, presses the option for its objective, and reaches a person", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: MENU, objective: RESERVATION },
      { timeoutMs: 25_000 },
    );
    expect(done.status).toBe("completed");
    expect(done.error).toBeNull();
    expect(await keysHeard(done.id, MENU)).toBe("1");
    const text = lines(done);
    const menu = text.findIndex((l) => l.endsWith(`recipient: ${PHONE_LINES.ivr_menu}`));
    const pressed = text.findIndex((l) => /^\[\d\d:\d\d\.\d\] agent: \[pressed 1\]$/.test(l));
    const person = text.findIndex((l) => l.endsWith(`recipient: ${PHONE_LINES.ivr_person}`));
    // The whole menu was heard before the key, and the person answered after it.
    expect(menu).toBeGreaterThanOrEqual(0);
    expect(pressed).toBeGreaterThan(menu);
    expect(person).toBeGreaterThan(pressed);
    expect(text.some((l) => l.endsWith(PHONE_LINES.booking_confirmed))).toBe(true);
    expect(done.holdSec).toBe(0);
  }, 30_000);

  it("a wrong key repeats the menu; pressed again once, then a third loop ends ivr_stuck", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: MENU, objective: OPENING_HOURS },
      { timeoutMs: 25_000 },
    );
    expect(done.status).toBe("failed");
    expect(done.error).toBe("ivr_stuck");
    // Two presses played; the third was refused by the loop rule and the call ended.
    expect(await keysHeard(done.id, MENU)).toBe("22");
    expect(pressedLines(done)).toHaveLength(2);
    const menus = lines(done).filter((l) => l.endsWith(`recipient: ${PHONE_LINES.ivr_menu}`));
    expect(menus).toHaveLength(3);
  }, 30_000);

  it("a menu that repeats whatever is pressed ends the call failed with ivr_stuck", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: LOOP, objective: RESERVATION },
      { timeoutMs: 25_000 },
    );
    expect(done.status).toBe("failed");
    expect(done.error).toBe("ivr_stuck");
    expect(await keysHeard(done.id, LOOP)).toBe("11");
    expect(pressedLines(done)).toHaveLength(2);
  }, 30_000);

  it("an objective no option serves: the agent presses nothing", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: LOOP, objective: VALID_CALL.objective },
      {
        timeoutMs: 25_000,
      },
    );
    expect(await keysHeard(done.id, LOOP)).toBe("");
    expect(pressedLines(done)).toHaveLength(0);
  }, 30_000);
});

describe("on hold", () => {
  it("the agent waits in silence through the hold music, then talks to the person; holdSec counts it", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: HOLD, objective: RESERVATION },
      { timeoutMs: 40_000 },
    );
    expect(done.status).toBe("completed");
    expect(await keysHeard(done.id, HOLD)).toBe("1");
    const text = lines(done);
    const onHold = text.findIndex((l) => / recipient: \[on hold\]$/.test(l));
    const person = text.findIndex((l) => l.endsWith(`recipient: ${PHONE_LINES.hold_person}`));
    expect(onHold).toBeGreaterThan(0);
    expect(person).toBeGreaterThan(onHold);
    // Nothing from the agent between going on hold and the person picking up.
    expect(text.slice(onHold + 1, person).filter((l) => / agent: /.test(l))).toEqual([]);
    // At least the 4 s of music the simulator plays at the test pace, and never the whole call.
    expect(done.holdSec).toBeGreaterThanOrEqual(4);
    expect(done.holdSec).toBeLessThanOrEqual(Number(done.durationSec));
  }, 45_000);

  it("a hold longer than maxHoldSec ends the call failed with hold_timeout", async () => {
    const { key } = await setupAccount();
    const done = await placeAndWait(
      key,
      { to: HOLD, objective: RESERVATION, maxHoldSec: 1 },
      { timeoutMs: 25_000 },
    );
    expect(done.status).toBe("failed");
    expect(done.error).toBe("hold_timeout");
    expect(done.holdSec).toBe(1);
  }, 30_000);
});

describe("placement", () => {
  it("refuses a transferTo outside the guardrails, equal to the destination, or malformed", async () => {
    const { key } = await setupAccount();
    for (const transferTo of ["+18765550123", "+14155550123", "12345", "+19005550123"]) {
      const res = await call("POST", "/v1/agent/calls", {
        token: key,
        body: { ...VALID_CALL, transferTo },
      });
      expect([transferTo, res.status, await res.json()]).toEqual([
        transferTo,
        400,
        { error: "invalid_transfer_number" },
      ]);
    }
  });

  it("refuses a maxHoldSec that is not a whole number of seconds from 1 to 14400", async () => {
    const { key } = await setupAccount();
    for (const maxHoldSec of [0, -5, 1.5, 14_401, "60"]) {
      const res = await call("POST", "/v1/agent/calls", {
        token: key,
        body: { ...VALID_CALL, maxHoldSec },
      });
      expect([maxHoldSec, res.status, await res.json()]).toEqual([
        maxHoldSec,
        400,
        { error: "invalid_max_hold_sec" },
      ]);
    }
  });
});
