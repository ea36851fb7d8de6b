/**
 * /telephony/twilio: where the carrier calls us. Status and AMD callbacks and the media-stream
 * upgrade are all verified with X-Twilio-Signature (the upgrade's over its wss:// URL) before the
 * call's Durable Object sees them, with the auth token (HMAC-SHA1) or, when a Webhooks Rule signed
 * them, with its SharedKey secret and algorithm (signature.ts); forged and replayed requests get
 * 403 and change nothing.
 */
import type { Context } from "hono";
import type { CallSession } from "../call-session/call-session.do";
import type { CarrierSignal } from "../domain/carrier-signal";
import { transferOutcomeOf } from "../domain/transfer";
import { webSocketUrlOf } from "../lib/loopback";
import {
  formParams,
  readForm,
  SIGNATURE_HEADER,
  SIGNATURE_SETTINGS_HEADER,
  type SignedParams,
  verifyTwilioRequest,
} from "../telephony/twilio/signature";
import { signalFromAmdCallback, signalFromStatusCallback } from "../telephony/twilio/status-map";
import { HANGUP_TWIML, sayTwiml } from "../telephony/twilio/twiml";
import { ApiError } from "./api-error";
import type { AppEnv } from "./app-env";
import {
  amdCallbackRoute,
  dialActionRoute,
  mediaStreamRoute,
  statusCallbackRoute,
  whisperRoute,
} from "./telephony.contracts";
import { createRouter } from "./validate";

const CALL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The URLs the carrier may have signed: as received, and as configured behind a proxy. */
function signedUrls(requestUrl: string, publicBaseUrl: string | undefined): string[] {
  const url = new URL(requestUrl);
  const urls = [requestUrl];
  if (publicBaseUrl) urls.push(`${publicBaseUrl}${url.pathname}${url.search}`);
  return urls;
}

/** Whether the request is signed by the carrier; a refusal is logged with its reason. */
async function verified(
  c: Context<AppEnv>,
  urls: string[],
  params: SignedParams,
  what: Record<string, string>,
): Promise<boolean> {
  const { telephony } = c.get("config");
  const verdict = await verifyTwilioRequest(
    { authToken: telephony.authToken, sharedKeySecret: telephony.sharedKeySecret },
    {
      signature: c.req.header(SIGNATURE_HEADER),
      settings: c.req.header(SIGNATURE_SETTINGS_HEADER),
    },
    urls,
    params,
  );
  if (verdict === "ok") return true;
  const why = {
    bad_signature: "a bad signature",
    unknown_algorithm: "an unknown signature algorithm",
    no_shared_key: "a SharedKey signature but no TWILIO_SHARED_KEY_SECRET",
  }[verdict];
  console.warn(`carrier request with ${why} refused`, what);
  return false;
}

function session(env: Env, callId: string): DurableObjectStub<CallSession> {
  return env.CALL_SESSION.get(env.CALL_SESSION.idFromName(callId));
}

export const telephonyRoutes = createRouter();

telephonyRoutes.openapi(statusCallbackRoute, (c) =>
  callback(
    c,
    signalFromStatusCallback,
    (p) => `status:${p.get("SequenceNumber")}:${p.get("CallStatus")}`,
  ),
);

telephonyRoutes.openapi(amdCallbackRoute, (c) =>
  callback(c, signalFromAmdCallback, (p) => `amd:${p.get("AnsweredBy")}`),
);

telephonyRoutes.openapi(mediaStreamRoute, async (c) => {
  const callId = c.req.valid("param").callId;
  if (!CALL_ID.test(callId)) throw new ApiError("not_found");
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("upgrade_required");
  }
  const urls = signedUrls(c.req.url, c.get("config").publicBaseUrl).map(webSocketUrlOf);
  if (!(await verified(c, urls, {}, { callId, path: "media upgrade" }))) {
    throw new ApiError("forbidden");
  }
  return session(c.env, callId).fetch(c.req.raw);
});

/** A transfer's callbacks: signed by the carrier, for a known call, else refused. */
async function signedForm(
  c: Context<AppEnv>,
): Promise<{ callId: string; params: URLSearchParams }> {
  const callId = c.req.param("callId") ?? "";
  if (!CALL_ID.test(callId)) throw new ApiError("not_found");
  const params = await readForm(c.req.raw);
  const urls = signedUrls(c.req.url, c.get("config").publicBaseUrl);
  if (!(await verified(c, urls, formParams(params), { callId, path: c.req.path }))) {
    throw new ApiError("forbidden");
  }
  return { callId, params };
}

telephonyRoutes.openapi(dialActionRoute, async (c) => {
  const { callId, params } = await signedForm(c);
  const duration = Number(params.get("DialCallDuration") ?? "0");
  const result = await session(c.env, callId).transferEnded({
    callSid: params.get("CallSid") ?? "",
    outcome: transferOutcomeOf(params.get("DialCallStatus") ?? ""),
    durationSec: Number.isFinite(duration) && duration > 0 ? Math.round(duration) : 0,
  });
  if (result === "unknown_call") throw new ApiError("not_found");
  if (result === "wrong_call") throw new ApiError("forbidden");
  // Whatever the person did, the AI's part of the call is over: end it.
  return c.body(HANGUP_TWIML, 200, { "content-type": "text/xml" });
});

telephonyRoutes.openapi(whisperRoute, async (c) => {
  const { callId } = await signedForm(c);
  const whisper = await session(c.env, callId).transferWhisper();
  if (whisper === undefined) throw new ApiError("not_found");
  return c.body(sayTwiml(whisper), 200, { "content-type": "text/xml" });
});

async function callback(
  c: Context<AppEnv>,
  toSignal: (params: URLSearchParams) => CarrierSignal | undefined,
  dedupeKey: (params: URLSearchParams) => string,
): Promise<Response> {
  const callId = c.req.param("callId") ?? "";
  if (!CALL_ID.test(callId)) throw new ApiError("not_found");
  const params = await readForm(c.req.raw);
  const urls = signedUrls(c.req.url, c.get("config").publicBaseUrl);
  if (!(await verified(c, urls, formParams(params), { callId, path: c.req.path }))) {
    throw new ApiError("forbidden");
  }
  const signal = toSignal(params);
  const callSid = params.get("CallSid") ?? "";
  if (!signal) return c.body(null, 204);
  const result = await session(c.env, callId).carrierSignal(signal, {
    callSid,
    dedupeKey: dedupeKey(params),
  });
  switch (result) {
    case "ok":
      return c.body(null, 204);
    case "unknown_call":
      throw new ApiError("not_found");
    case "replay":
    case "wrong_call":
      console.warn("carrier callback refused", { callId, result });
      throw new ApiError("forbidden");
  }
}
