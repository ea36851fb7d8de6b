/**
 * The contracts of /v1/agent/calls: parameters, bodies, every status with its schema, the tokens
 * each route can answer and the headers it sends. The routes validate with these same schemas.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  CallSchema,
  ListCallsQuerySchema,
  ListCallsResponseSchema,
  PlaceCallBodySchema,
  PlaceCallResponseSchema,
} from "../domain/call-schemas";
import { AnswerBodySchema, QuestionViewSchema } from "../domain/questions";
import { EventLogSchema } from "../domain/webhook-event";
import {
  ACCEPT_RANGES,
  AGENT_KEY,
  CONTENT_RANGE,
  errorResponses,
  IDEMPOTENT_REPLAYED,
  jsonResponse,
  LOCATION,
  REQUEST_ID,
} from "./openapi";
import { jsonOnly } from "./validate";

/** Printable ASCII, as Stripe and the IETF draft allow; long enough for a UUID or a hash. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const security = [{ [AGENT_KEY]: [] }];
/** Every route here authenticates first (the router's requireApiKey), which reads D1. */
const AUTH = ["unauthorized", "store_error"] as const;

const CallId = z
  .string()
  .openapi({ param: { name: "id", in: "path" }, example: "f47ac10b-58cc-4372-a567-0e02b2c3d479" });
const CallParams = z.object({ id: CallId });

const PlaceCallRequest = PlaceCallBodySchema.meta({ id: "PlaceCallRequest" });
const Call = CallSchema.meta({ id: "Call" });

export const placeCallRoute = createRoute({
  method: "post",
  path: "/",
  operationId: "placeCall",
  tags: ["Calls"],
  summary: "Place a call",
  description:
    "Validates the request, runs the guardrails and records the call as `queued`; the call runs asynchronously. Fields are checked in the order `to`, `objective`, `context`, `fields`, `webhookUrl`, `callerId`, `voice`, `language`, and the first failure is reported.",
  security,
  middleware: [jsonOnly] as const,
  // Documented only: the route checks it after the body, so a bad body is reported first.
  parameters: [
    {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Within 24 h, the same key with the same body returns the original 202 again (with `Idempotent-Replayed: true`) and places nothing.",
      schema: { type: "string", pattern: IDEMPOTENCY_KEY.source, minLength: 1, maxLength: 255 },
    },
  ],
  request: {
    body: { required: true, content: { "application/json": { schema: PlaceCallRequest } } },
  },
  responses: {
    202: jsonResponse(PlaceCallResponseSchema.meta({ id: "PlaceCallResponse" }), "Accepted.", {
      ...LOCATION,
      ...IDEMPOTENT_REPLAYED,
    }),
    ...errorResponses(
      "to_required",
      "objective_required",
      "objective_too_long",
      "invalid_number",
      "destination_blocked",
      "do_not_call",
      "outside_calling_window",
      "caller_id_not_owned",
      "caller_id_required",
      "invalid_fields",
      "invalid_context",
      "invalid_caller_id",
      "invalid_webhook_url",
      "invalid_voice",
      "invalid_language",
      "invalid_schedule",
      "invalid_on_behalf_of",
      "invalid_voicemail",
      "invalid_max_hold_sec",
      "invalid_transfer_number",
      "invalid_transfer_when",
      "invalid_json",
      "invalid_request",
      "invalid_idempotency_key",
      ...AUTH,
      "idempotency_key_in_use",
      "payload_too_large",
      "unsupported_media_type",
      "idempotency_key_reused",
      "rate_limited",
      "destination_frequency_capped",
      "over_minute_cap",
      "placement_failed",
    ),
  },
});

export const listCallsRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listCalls",
  tags: ["Calls"],
  summary: "List calls, most recent first",
  security,
  request: { query: ListCallsQuerySchema },
  responses: {
    200: jsonResponse(
      ListCallsResponseSchema.meta({ id: "CallList" }),
      "A page of call summaries.",
    ),
    ...errorResponses("invalid_limit", "invalid_cursor", "invalid_status", ...AUTH),
  },
});

export const getCallRoute = createRoute({
  method: "get",
  path: "/{id}",
  operationId: "getCall",
  tags: ["Calls"],
  summary: "Get a call",
  security,
  request: { params: CallParams },
  responses: {
    200: jsonResponse(Call, "The call."),
    ...errorResponses(...AUTH, "not_found"),
  },
});

export const cancelCallRoute = createRoute({
  method: "post",
  path: "/{id}/cancel",
  operationId: "cancelCall",
  tags: ["Calls"],
  summary: "Cancel a call",
  description:
    "Withdraws a queued or ringing call or hangs up a live one; it ends as `failed` with `error: canceled`.",
  security,
  request: { params: CallParams },
  responses: {
    202: jsonResponse(Call, "Canceled; the call record."),
    ...errorResponses(...AUTH, "not_found", "call_already_ended"),
  },
});

export const callEventsRoute = createRoute({
  method: "get",
  path: "/{id}/events",
  operationId: "listCallEvents",
  tags: ["Calls"],
  summary: "The call's webhook events with every delivery attempt",
  security,
  request: { params: CallParams },
  responses: {
    200: jsonResponse(EventLogSchema.meta({ id: "EventLog" }), "Events, oldest first."),
    ...errorResponses(...AUTH, "not_found"),
  },
});

export const redeliverRoute = createRoute({
  method: "post",
  path: "/{id}/events/{eventId}/redeliver",
  operationId: "redeliverEvent",
  tags: ["Calls"],
  summary: "Send one webhook event again (same webhook-id)",
  security,
  request: {
    params: CallParams.extend({
      eventId: z.string().openapi({ param: { name: "eventId", in: "path" } }),
    }),
  },
  responses: {
    202: jsonResponse(
      z.object({ eventId: z.string(), status: z.literal("pending") }),
      "Queued for delivery.",
    ),
    ...errorResponses(...AUTH, "not_found", "no_webhook_url"),
  },
});

const wav = { "audio/wav": { schema: { type: "string" as const, format: "binary" } } };

export const recordingRoute = createRoute({
  method: "get",
  path: "/{id}/recording",
  operationId: "getRecording",
  tags: ["Calls"],
  summary: "The call's recording",
  description:
    "A stereo WAV (left: the recipient, right: the agent; 8 kHz, 16-bit). Single byte ranges are served (`bytes=a-b`, `bytes=a-`, `bytes=-n`); several ranges get the whole file.",
  security,
  parameters: [
    {
      name: "Range",
      in: "header",
      required: false,
      schema: { type: "string", example: "bytes=0-1023" },
    },
  ],
  request: { params: CallParams },
  responses: {
    200: {
      description: "The whole recording.",
      headers: { ...REQUEST_ID, ...ACCEPT_RANGES },
      content: wav,
    },
    206: {
      description: "The requested range.",
      headers: { ...REQUEST_ID, ...ACCEPT_RANGES, ...CONTENT_RANGE },
      content: wav,
    },
    ...errorResponses(...AUTH, "not_found", "range_not_satisfiable"),
  },
});

export const answerQuestionRoute = createRoute({
  method: "post",
  path: "/{id}/questions/{questionId}/answer",
  operationId: "answerQuestion",
  tags: ["Calls"],
  summary: "Answer the agent's question",
  description:
    "Answers the question the agent asked mid-call (`pendingQuestion`, webhook `call.question`); the agent hears it as its tool's result and carries on. An answer is at most 2,000 characters. A question already answered, or past its `expiresAt`, answers 409 `question_closed`.",
  security,
  middleware: [jsonOnly] as const,
  request: {
    params: CallParams.extend({
      questionId: z
        .string()
        .max(100)
        .openapi({ param: { name: "questionId", in: "path" } }),
    }),
    body: {
      required: true,
      content: { "application/json": { schema: AnswerBodySchema.meta({ id: "AnswerRequest" }) } },
    },
  },
  responses: {
    200: jsonResponse(
      z
        .object({ callId: z.uuid(), question: QuestionViewSchema.meta({ id: "Question" }) })
        .meta({ id: "AnswerResponse" }),
      "Answered; the question with its answer.",
    ),
    ...errorResponses(
      "invalid_json",
      "invalid_request",
      ...AUTH,
      "not_found",
      "question_closed",
      "payload_too_large",
      "unsupported_media_type",
    ),
  },
});

export const callStreamRoute = createRoute({
  method: "get",
  path: "/{id}/stream",
  operationId: "streamCall",
  tags: ["Calls"],
  summary: "Follow a call live (Server-Sent Events)",
  description:
    "Server-Sent Events, each with `id` (a per-call sequence number from 1), `event` and JSON `data`: `call.dialing`, `call.in_progress` and the terminal status (`data.call`, the record; the terminal one is the full record after post-call work), `call.transcript` (`{ speaker, text, offsetMs, sequence }`, one per finished utterance), `call.question` (`data.question`), `call.question_closed` (the question with its answer), `call.opt_out`. Events already emitted are replayed first; reconnect with `Last-Event-ID` to resume without losing any. The stream closes after the terminal record.",
  security,
  request: {
    params: CallParams,
    headers: z.object({
      "last-event-id": z
        .string()
        .optional()
        .describe("The last `id` received: the stream resumes after it."),
    }),
  },
  responses: {
    200: {
      description: "The event stream.",
      content: { "text/event-stream": { schema: { type: "string" as const } } },
    },
    ...errorResponses(...AUTH, "not_found"),
  },
});
