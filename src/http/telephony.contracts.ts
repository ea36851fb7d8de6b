/**
 * The contracts of /telephony/twilio, where the carrier calls us. Bodies are Twilio's form
 * parameters and are read by the handlers themselves (the signature covers the raw form), so they
 * are documented, not validated, here.
 */

import { createRoute, z } from "@hono/zod-openapi";
import { CALLBACK_ROUTES } from "../telephony/callback-paths";
import { errorResponses, REQUEST_ID } from "./openapi";

const CallIdParams = z.object({
  callId: z.string().openapi({
    param: { name: "callId", in: "path" },
    description: "Our call id (a UUID); anything else is 404.",
    example: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
  }),
});

const signature = {
  name: "X-Twilio-Signature",
  in: "header" as const,
  required: true,
  description: "Base64 HMAC-SHA1 of the URL and the sorted form parameters with the auth token.",
  schema: { type: "string" as const },
};

const form = (properties: Record<string, { type: "string"; description: string }>) => ({
  required: true,
  content: {
    "application/x-www-form-urlencoded": { schema: { type: "object" as const, properties } },
  },
});

const accepted = { description: "Taken into account (or nothing to do).", headers: REQUEST_ID };
const CALLBACK_ERRORS = errorResponses("not_found", "forbidden");

export const statusCallbackRoute = createRoute({
  method: "post",
  path: CALLBACK_ROUTES.status,
  operationId: "twilioStatusCallback",
  tags: ["Carrier"],
  summary: "Twilio call-status callback",
  description:
    "Verified with X-Twilio-Signature; a forged or replayed callback is 403 and changes nothing.",
  parameters: [signature],
  request: {
    params: CallIdParams,
    body: form({
      CallSid: { type: "string", description: "Twilio's call SID." },
      CallStatus: { type: "string", description: "initiated, ringing, in-progress, completed…" },
      SequenceNumber: { type: "string", description: "Orders the callbacks of one call." },
      AnsweredBy: { type: "string", description: "The AMD verdict, when Twilio has one." },
      CallDuration: { type: "string", description: "Seconds, on completed." },
    }),
  },
  responses: { 204: accepted, ...CALLBACK_ERRORS },
});

export const amdCallbackRoute = createRoute({
  method: "post",
  path: CALLBACK_ROUTES.amd,
  operationId: "twilioAmdCallback",
  tags: ["Carrier"],
  summary: "Twilio asynchronous answering-machine-detection callback",
  parameters: [signature],
  request: {
    params: CallIdParams,
    body: form({
      CallSid: { type: "string", description: "Twilio's call SID." },
      AnsweredBy: { type: "string", description: "human, machine_start, machine_end_beep, fax…" },
    }),
  },
  responses: { 204: accepted, ...CALLBACK_ERRORS },
});

const twiml = {
  description: "TwiML for the carrier.",
  headers: REQUEST_ID,
  content: { "text/xml": { schema: { type: "string" as const } } },
};

export const dialActionRoute = createRoute({
  method: "post",
  path: CALLBACK_ROUTES.dial,
  operationId: "twilioTransferDialAction",
  tags: ["Carrier"],
  summary: "Twilio <Dial> action callback of a transfer to a person",
  description:
    "How the hand-over to `transferTo` ended; recorded once on the call's `transfer`, and answered with TwiML that ends the call. Verified with X-Twilio-Signature; a forged one is 403 and changes nothing.",
  parameters: [signature],
  request: {
    params: CallIdParams,
    body: form({
      CallSid: { type: "string", description: "Twilio's SID of our call." },
      DialCallStatus: {
        type: "string",
        description: "completed, answered, busy, no-answer, failed or canceled.",
      },
      DialCallDuration: { type: "string", description: "Seconds the person's leg lasted." },
      DialCallSid: { type: "string", description: "The person's leg." },
    }),
  },
  responses: { 200: twiml, ...CALLBACK_ERRORS },
});

export const whisperRoute = createRoute({
  method: "post",
  path: CALLBACK_ROUTES.whisper,
  operationId: "twilioTransferWhisper",
  tags: ["Carrier"],
  summary: "Twilio <Number url>: the whisper to the person a call is transferred to",
  description:
    "One sentence on what the call was about, said to the person before the legs join. Verified with X-Twilio-Signature.",
  parameters: [signature],
  request: { params: CallIdParams },
  responses: { 200: twiml, ...CALLBACK_ERRORS },
});

export const mediaStreamRoute = createRoute({
  method: "get",
  path: CALLBACK_ROUTES.media,
  operationId: "twilioMediaStream",
  tags: ["Carrier"],
  summary: "Twilio Media Streams WebSocket",
  description:
    "The bidirectional media stream of a call, handed to its Durable Object once the signature over the wss:// URL verifies.",
  parameters: [
    signature,
    {
      name: "Upgrade",
      in: "header",
      required: true,
      schema: { type: "string", enum: ["websocket"] },
    },
  ],
  request: { params: CallIdParams },
  responses: {
    101: { description: "Switching protocols: the media stream." },
    ...errorResponses("not_found", "forbidden", "upgrade_required"),
  },
});
