/**
 * The built-in simulated carrier's REST API, shaped like Twilio's (protocols.md A): the same paths,
 * form parameters, Basic auth, JSON answers and error bodies. Mounted at /simulator/twilio only
 * when TELEPHONY_PROVIDER=simulator, where our Twilio client is pointed at it.
 */
import { Hono } from "hono";
import { sameSecret, sha256Hex } from "../lib/crypto";
import type { CreateResult } from "../telephony/simulator/simulated-carrier.do";
import { readForm } from "../telephony/twilio/signature";
import { parseStreamTwiml, parseTransferTwiml } from "../telephony/twilio/twiml";
import { ApiError } from "./api-error";
import type { AppEnv } from "./app-env";

type TwilioError = { code: number; message: string; status: number };

const twilioError = (e: TwilioError) => ({
  ...e,
  more_info: `https://www.twilio.com/docs/errors/${e.code}`,
});

/**
 * A deterministic SID per call attempt target, so retried creates reach the same simulated call
 * (and a test can fetch the call its request created).
 */
export async function simulatedCallSid(statusCallback: string | null, to: string): Promise<string> {
  return `CA${(await sha256Hex(`${statusCallback}|${to}`)).slice(0, 32)}`;
}

const notFound = () =>
  twilioError({ code: 20404, message: "The requested resource was not found", status: 404 });

export const simulatorRoutes = new Hono<AppEnv>()
  .use("/2010-04-01/Accounts/:sid/*", async (c, next) => {
    const telephony = c.get("config").telephony;
    if (telephony.provider !== "simulator") throw new ApiError("not_found");
    const expected = `Basic ${btoa(`${telephony.accountSid}:${telephony.authToken}`)}`;
    const given = c.req.header("authorization") ?? "";
    // The account SID in the path is public; the Basic credentials are compared in constant time.
    if (!(await sameSecret(given, expected)) || c.req.param("sid") !== telephony.accountSid) {
      return c.json(twilioError({ code: 20003, message: "Authenticate", status: 401 }), 401);
    }
    await next();
  })
  .post("/2010-04-01/Accounts/:sid/Calls.json", async (c) => {
    const telephony = c.get("config").telephony;
    if (telephony.provider !== "simulator") return c.notFound();
    const form = await readForm(c.req.raw);
    const to = form.get("To");
    const from = form.get("From");
    if (!to)
      return c.json(
        twilioError({ code: 21201, message: "No 'To' number is specified", status: 400 }),
        400,
      );
    if (!from)
      return c.json(
        twilioError({ code: 21213, message: "No 'From' number is specified", status: 400 }),
        400,
      );
    if (!/^\+[1-9]\d{1,14}$/.test(to)) {
      return c.json(
        twilioError({ code: 21211, message: `Invalid 'To' Phone Number: ${to}`, status: 400 }),
        400,
      );
    }
    const twiml = form.get("Twiml") ?? "";
    if (twiml.length > 4000) {
      return c.json(
        twilioError({ code: 32018, message: "TwiML exceeds 4000 characters", status: 400 }),
        400,
      );
    }
    const stream = parseStreamTwiml(twiml);
    if (!stream) {
      return c.json(
        twilioError({
          code: 21205,
          message: "The simulator only connects <Stream> TwiML",
          status: 400,
        }),
        400,
      );
    }
    const statusCallback = form.get("StatusCallback");
    const sid = await simulatedCallSid(statusCallback, to);
    const stub = c.env.SIMULATED_CARRIER.get(c.env.SIMULATED_CARRIER.idFromName(sid));
    const result: CreateResult = await stub.create({
      sid,
      accountSid: telephony.accountSid,
      authToken: telephony.authToken,
      to,
      from,
      statusCallback,
      statusEvents: form.getAll("StatusCallbackEvent"),
      amdCallback: form.get("AsyncAmdStatusCallback"),
      machineDetection:
        form.get("MachineDetection") === "DetectMessageEnd" ? "DetectMessageEnd" : "Enable",
      stream,
      paceMs: telephony.paceMs,
      ownOrigin: new URL(c.req.url).origin,
    });
    if (!result.ok) {
      const status = result.status === 503 ? 503 : 400;
      return c.json(twilioError({ code: result.code, message: result.message, status }), status);
    }
    return c.json(result.call, 201);
  })
  // Twilio's call fetch; the simulator adds what the line saw (`simulator`: agent audio times,
  // the far end's timeline, the keys it decoded from our audio, a transfer), for tests.
  .get("/2010-04-01/Accounts/:sid/Calls/:callFile", async (c) => {
    const sid = /^(CA[0-9a-f]{32})\.json$/.exec(c.req.param("callFile"))?.[1];
    const stub = sid ? c.env.SIMULATED_CARRIER.get(c.env.SIMULATED_CARRIER.idFromName(sid)) : null;
    const observed = await stub?.observations();
    const call = await stub?.fetchCall();
    if (!sid || !observed || !call)
      return c.json(
        twilioError({ code: 20404, message: "The requested resource was not found", status: 404 }),
        404,
      );
    const fetched = call as Record<string, unknown>;
    const extra = (fetched.simulator ?? {}) as Record<string, unknown>;
    return c.json({ ...fetched, sid, simulator: { ...observed, ...extra } });
  })
  .post("/2010-04-01/Accounts/:sid/Calls/:callFile", async (c) => {
    const sid = /^(CA[0-9a-f]{32})\.json$/.exec(c.req.param("callFile"))?.[1];
    if (!sid)
      return c.json(
        twilioError({ code: 20404, message: "The requested resource was not found", status: 404 }),
        404,
      );
    const form = await readForm(c.req.raw);
    const status = form.get("Status");
    const twiml = form.get("Twiml");
    if (status === null && twiml !== null) {
      // New TwiML for the live call: the simulator runs a transfer's <Dial> (protocols.md A).
      const dial = parseTransferTwiml(twiml);
      if (!dial)
        return c.json(
          twilioError({
            code: 21205,
            message: "The simulator only runs <Dial><Number> TwiML here",
            status: 400,
          }),
          400,
        );
      const stub = c.env.SIMULATED_CARRIER.get(c.env.SIMULATED_CARRIER.idFromName(sid));
      const call = await stub.transfer(dial);
      return call ? c.json(call) : c.json(notFound(), 404);
    }
    if (status !== "completed" && status !== "canceled") {
      return c.json(twilioError({ code: 21218, message: "Invalid Status", status: 400 }), 400);
    }
    const stub = c.env.SIMULATED_CARRIER.get(c.env.SIMULATED_CARRIER.idFromName(sid));
    const call = await stub.hangup();
    if (!call)
      return c.json(
        twilioError({ code: 20404, message: "The requested resource was not found", status: 404 }),
        404,
      );
    return c.json(call);
  });
