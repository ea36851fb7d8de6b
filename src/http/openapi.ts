/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with.
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what z.toJSONSchema emits.
 */
import { z } from "zod";
import {
  CallSchema,
  ErrorResponseSchema,
  ListCallsResponseSchema,
  PlaceCallBodySchema,
  PlaceCallResponseSchema,
} from "../calls/schemas";
import { CALL_STATUSES } from "../domain/call-status";
import { EventLogSchema, WebhookEventSchema } from "../domain/webhook-event";

const schema = (s: z.ZodType, io: "input" | "output" = "output") =>
  z.toJSONSchema(s, { target: "draft-2020-12", io, unrepresentable: "any" });

const error = (description: string, tokens: string[]) => ({
  description: `${description} Tokens: ${tokens.map((t) => `\`${t}\``).join(", ")}.`,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const unauthorized = error("Missing, malformed, unknown or revoked API key.", ["unauthorized"]);
const storeError = error("Temporary storage failure; retry shortly.", ["store_error"]);

export function buildOpenApi(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "By Your Side voice agent API",
      version: "1.0.0",
      description:
        'Place AI phone calls and read their outcome. Every error is `{ "error": token }`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ agentKey: [] }],
    components: {
      securitySchemes: { agentKey: { type: "http", scheme: "bearer", bearerFormat: "bys_ak_..." } },
      schemas: {
        PlaceCallRequest: schema(PlaceCallBodySchema, "input"),
        PlaceCallResponse: schema(PlaceCallResponseSchema),
        Call: schema(CallSchema),
        CallList: schema(ListCallsResponseSchema),
        Error: schema(ErrorResponseSchema),
        WebhookEvent: schema(WebhookEventSchema),
        EventLog: schema(EventLogSchema),
      },
    },
    paths: {
      "/v1/agent/calls": {
        post: {
          operationId: "placeCall",
          summary: "Place a call",
          description:
            "Validates the request, runs guardrails and records the call as `queued`; the call runs asynchronously.",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description:
                "Replays within 24 h with the same body return the original response and place nothing.",
              schema: { type: "string", maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/PlaceCallRequest" } },
            },
          },
          responses: {
            "202": {
              description: "Accepted.",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/PlaceCallResponse" } },
              },
            },
            "400": error("Invalid request or guardrail refusal.", [
              "to_required",
              "objective_required",
              "objective_too_long",
              "invalid_number",
              "destination_blocked",
              "caller_id_not_owned",
              "caller_id_required",
              "invalid_fields",
              "invalid_context",
              "invalid_caller_id",
              "invalid_webhook_url",
              "invalid_voice",
              "invalid_language",
              "invalid_json",
              "invalid_idempotency_key",
            ]),
            "401": unauthorized,
            "409": error("A request with this Idempotency-Key is still in flight.", [
              "idempotency_key_in_use",
            ]),
            "413": error("Body over 64 KiB.", ["payload_too_large"]),
            "415": error("Content-Type is not application/json.", ["unsupported_media_type"]),
            "422": error("Idempotency-Key reused with a different body.", [
              "idempotency_key_reused",
            ]),
            "429": error("Rate limit (with Retry-After) or minute cap reached.", [
              "rate_limited",
              "over_minute_cap",
            ]),
            "503": storeError,
          },
        },
        get: {
          operationId: "listCalls",
          summary: "List calls, most recent first",
          parameters: [
            {
              name: "limit",
              in: "query",
              schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
            },
            {
              name: "cursor",
              in: "query",
              schema: { type: "string" },
              description: "`nextCursor` of the previous page.",
            },
            {
              name: "status",
              in: "query",
              schema: { type: "string" },
              description: `Comma-separated statuses to keep: ${CALL_STATUSES.join(", ")}.`,
            },
          ],
          responses: {
            "200": {
              description: "A page of call summaries.",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/CallList" } },
              },
            },
            "400": error("Bad query.", ["invalid_limit", "invalid_cursor", "invalid_status"]),
            "401": unauthorized,
            "503": storeError,
          },
        },
      },
      "/v1/agent/calls/{id}": {
        get: {
          operationId: "getCall",
          summary: "Get a call",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              description: "The call.",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Call" } } },
            },
            "401": unauthorized,
            "404": error("No such call on your account.", ["not_found"]),
            "503": storeError,
          },
        },
      },
      "/v1/agent/calls/{id}/cancel": {
        post: {
          operationId: "cancelCall",
          summary: "Cancel a call",
          description:
            "Withdraws a queued or ringing call or hangs up a live one; it ends as `failed` with `error: canceled`.",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "202": {
              description: "Canceled; the call record.",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Call" } } },
            },
            "401": unauthorized,
            "404": error("No such call on your account.", ["not_found"]),
            "409": error("The call has already ended.", ["call_already_ended"]),
            "503": storeError,
          },
        },
      },
      "/v1/agent/calls/{id}/events": {
        get: {
          operationId: "listCallEvents",
          summary: "The call's webhook events with every delivery attempt",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              description: "Events, oldest first.",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/EventLog" } },
              },
            },
            "401": unauthorized,
            "404": error("No such call on your account.", ["not_found"]),
            "503": storeError,
          },
        },
      },
      "/v1/agent/calls/{id}/events/{eventId}/redeliver": {
        post: {
          operationId: "redeliverEvent",
          summary: "Send one webhook event again (same webhook-id)",
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            { name: "eventId", in: "path", required: true, schema: { type: "string" } },
          ],
          responses: {
            "202": { description: "Queued for delivery." },
            "401": unauthorized,
            "404": error("No such call or event on your account.", ["not_found"]),
            "409": error("The call has no webhookUrl.", ["no_webhook_url"]),
            "503": storeError,
          },
        },
      },
    },
    webhooks: {
      callEvent: {
        post: {
          summary: "A call changed status",
          description:
            "One event per transition: call.dialing, call.in_progress, then one terminal event carrying the full record. Signed per Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature (v1,base64 HMAC-SHA256 of id.timestamp.body with your whsec_ secret). Answer 2xx within 10 s; anything else is retried for about 27 h; 410 stops.",
          requestBody: {
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/WebhookEvent" } },
            },
          },
          responses: { "200": { description: "Received." } },
        },
      },
    },
  };
}
