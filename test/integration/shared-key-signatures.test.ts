/**
 * Callbacks from an account whose Webhooks Rule signs with a SharedKey (protocols.md G):
 * X-Twilio-Webhooks-Signature-Settings names the algorithm, X-Twilio-Signature is keyed with the
 * SharedKey secret. They are accepted, tampered ones refused, and the auth-token path unchanged.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type SignatureAlgorithm, twilioSignature } from "../../src/telephony/twilio/signature";
import { BASE, call, json, setupAccount, VALID_CALL } from "../helpers";
import { waitFor } from "../wait-for";

const LINGERS = "+14155550105";
const SILENT = "+14155550107";
const SETTINGS = "key=KS00000000000000000000000000000000,algorithm=HMAC_SHA256";

async function placeLive(
  to = LINGERS,
  status = "in_progress",
): Promise<{ key: string; id: string }> {
  const { key } = await setupAccount();
  const res = await call("POST", "/v1/agent/calls", {
    token: key,
    body: { ...VALID_CALL, to },
  });
  expect(res.status).toBe(202);
  const { callId: id } = await json<{ callId: string }>(res);
  await waitFor(async () => (await statusOf(key, id)) === status);
  return { key, id };
}

async function statusOf(key: string, id: string): Promise<string> {
  return (
    await json<{ status: string }>(await call("GET", `/v1/agent/calls/${id}`, { token: key }))
  ).status;
}

async function callSidOf(id: string): Promise<string> {
  const state = await env.CALL_SESSION.get(env.CALL_SESSION.idFromName(id)).snapshot();
  return state?.providerCallId ?? "";
}

type Signing = {
  secret: string;
  algorithm?: SignatureAlgorithm;
  settings?: string | undefined;
  /** Sign these instead of what is sent (a tampered body). */
  signedParams?: Record<string, string>;
  /** Sign for this URL instead of the one requested (a tampered URL). */
  signedUrl?: string;
};

async function callback(id: string, params: Record<string, string>, s: Signing): Promise<Response> {
  const url = `${BASE}/telephony/twilio/status/${id}`;
  {
    const signature = await twilioSignature(
      s.secret,
      s.signedUrl ?? url,
      s.signedParams ?? params,
      s.algorithm ?? "HMAC_SHA256",
    );
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": signature,
    };
    if (s.settings !== undefined) headers["x-twilio-webhooks-signature-settings"] = s.settings;
    return exports.default.fetch(
      new Request(url, { method: "POST", headers, body: new URLSearchParams(params) }),
    );
  }
}

describe("Twilio SharedKey signatures", () => {
  it("a SharedKey-signed callback is accepted; tampered body or URL, or a wrong key, are refused", async () => {
    const { key, id } = await placeLive();
    const callSid = await callSidOf(id);
    const secret = env.TWILIO_SHARED_KEY_SECRET;
    const done = {
      CallSid: callSid,
      CallStatus: "completed",
      CallDuration: "3",
      SequenceNumber: "60",
    };

    // Body changed after signing.
    const tamperedBody = await callback(id, done, {
      secret,
      settings: SETTINGS,
      signedParams: { ...done, CallDuration: "30" },
    });
    expect(tamperedBody.status).toBe(403);
    // Signed for another call's URL.
    const tamperedUrl = await callback(id, done, {
      secret,
      settings: SETTINGS,
      signedUrl: `${BASE}/telephony/twilio/status/${crypto.randomUUID()}`,
    });
    expect(tamperedUrl.status).toBe(403);
    // The SharedKey signature without the settings header is checked against the auth token.
    expect((await callback(id, done, { secret })).status).toBe(403);
    // The auth token used where the header says SharedKey.
    const withToken = { secret: env.SIMULATOR_AUTH_TOKEN, settings: SETTINGS };
    expect((await callback(id, done, withToken)).status).toBe(403);
    // An algorithm we do not know.
    const unknown = { secret, settings: "key=KS1,algorithm=HMAC_MD5" };
    expect((await callback(id, done, unknown)).status).toBe(403);
    expect(await statusOf(key, id)).toBe("in_progress");

    const accepted = await callback(id, done, { secret, settings: SETTINGS });
    expect(accepted.status).toBe(204);
    await waitFor(async () => (await statusOf(key, id)) === "completed");
  });

  it("the auth-token HMAC-SHA1 path is unchanged", async () => {
    const { key, id } = await placeLive();
    const callSid = await callSidOf(id);
    const done = {
      CallSid: callSid,
      CallStatus: "completed",
      CallDuration: "2",
      SequenceNumber: "61",
    };
    const sha1 = { secret: env.SIMULATOR_AUTH_TOKEN, algorithm: "HMAC_SHA1" as const };
    expect(
      (await callback(id, done, { ...sha1, signedParams: { ...done, CallDuration: "9" } })).status,
    ).toBe(403);
    expect((await callback(id, done, sha1)).status).toBe(204);
    await waitFor(async () => (await statusOf(key, id)) === "completed");
  });

  it("a SharedKey-signed media-stream upgrade is verified over its wss:// URL", async () => {
    // Dialing, with no stream yet (the silent number's carrier never opens one).
    const { id } = await placeLive(SILENT, "dialing");
    const wss = `wss://api.test/telephony/twilio/media/${id}`;
    const upgrade = async (signature: string, settings?: string) => {
      const headers: Record<string, string> = {
        upgrade: "websocket",
        "x-twilio-signature": signature,
      };
      if (settings) headers["x-twilio-webhooks-signature-settings"] = settings;
      return exports.default.fetch(
        new Request(`${BASE}/telephony/twilio/media/${id}`, { headers }),
      );
    };
    const secret = env.TWILIO_SHARED_KEY_SECRET;
    const forOther = await twilioSignature(secret, `${wss}x`, {}, "HMAC_SHA256");
    expect((await upgrade(forOther, SETTINGS)).status).toBe(403);
    const good = await twilioSignature(secret, wss, {}, "HMAC_SHA256");
    expect((await upgrade(good)).status).toBe(403);
    const res = await upgrade(good, SETTINGS);
    // Past the signature check: the call's session takes the stream (and closes it with 1008:
    // the test does not know the per-call token).
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.close(1000, "test done");
  });
});
