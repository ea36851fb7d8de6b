/**
 * The contracts of /v1/agent/dnc: the account's do-not-call list, authenticated with the API key
 * like the call routes. The routes validate with these same schemas.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  AddDncBodySchema,
  DncEntrySchema,
  DncListQuerySchema,
  DncListResponseSchema,
} from "../domain/do-not-call";
import { AGENT_KEY, errorResponses, jsonResponse, REQUEST_ID } from "./openapi";
import { jsonOnly } from "./validate";

const security = [{ [AGENT_KEY]: [] }];
/** Every route here authenticates first (the router's requireApiKey), which reads D1. */
const AUTH = ["unauthorized", "store_error"] as const;

const DncEntry = DncEntrySchema.meta({ id: "DncEntry" });

export const listDncRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listDoNotCall",
  tags: ["Do not call"],
  summary: "The account's do-not-call list, most recent first",
  security,
  request: { query: DncListQuerySchema },
  responses: {
    200: jsonResponse(DncListResponseSchema.meta({ id: "DncList" }), "A page of entries."),
    ...errorResponses("invalid_limit", "invalid_cursor", ...AUTH),
  },
});

export const addDncRoute = createRoute({
  method: "post",
  path: "/",
  operationId: "addDoNotCall",
  tags: ["Do not call"],
  summary: "Add a number to the do-not-call list",
  description:
    "Placements to a listed number answer 400 `do_not_call`. Adding a number already listed answers 200 with the stored entry (its reason unchanged).",
  security,
  middleware: [jsonOnly] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: AddDncBodySchema.meta({ id: "AddDncRequest" }) } },
    },
  },
  responses: {
    200: jsonResponse(DncEntry, "Already listed; the stored entry."),
    201: jsonResponse(DncEntry, "Added."),
    ...errorResponses(
      "invalid_number",
      "invalid_request",
      "invalid_json",
      "unsupported_media_type",
      "payload_too_large",
      ...AUTH,
    ),
  },
});

export const removeDncRoute = createRoute({
  method: "delete",
  path: "/{number}",
  operationId: "removeDoNotCall",
  tags: ["Do not call"],
  summary: "Remove a number from the do-not-call list",
  security,
  request: {
    params: z.object({
      number: z.string().openapi({
        param: { name: "number", in: "path", description: "URL-encoded E.164 (`%2B14155550123`)." },
        example: "%2B14155550123",
      }),
    }),
  },
  responses: {
    204: { description: "Removed.", headers: REQUEST_ID },
    ...errorResponses("invalid_number", ...AUTH, "not_found"),
  },
});
