/**
 * The OpenAPI vocabulary the route contracts share: error responses built from the token table,
 * the response headers the API sends, and the document itself, generated from the registered
 * routes (OpenAPI 3.1, whose schemas are JSON Schema 2020-12).
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { type ErrorToken, statusOf } from "../domain/error-tokens";
import { WebhookEventSchema } from "../domain/webhook-event";
import type { AppEnv } from "./app-env";

type Header = { description: string; schema: { type: "string" | "integer"; example?: string } };

const header = (description: string, type: Header["schema"]["type"] = "string"): Header => ({
  description,
  schema: { type },
});

/** Sent on every response, errors included: quote it when reporting a problem. */
export const REQUEST_ID = { "x-request-id": header("This request's id (also in our logs).") };

export const LOCATION = {
  Location: header("Path of the call just placed: `/v1/agent/calls/{callId}`."),
};
export const IDEMPOTENT_REPLAYED = {
  "Idempotent-Replayed": header(
    "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
  ),
};
export const RETRY_AFTER = {
  "Retry-After": header(
    "Seconds until a retry can succeed: the rate limit lets another call through, or (`destination_frequency_capped`) the oldest counted call to that number leaves the 24-hour window.",
    "integer",
  ),
};
export const NEXT_WINDOW_AT = {
  "Next-Window-At": header(
    "On `outside_calling_window`: when the recipient's calling window next opens, ISO 8601 UTC.",
  ),
};
export const CONTENT_RANGE = {
  "Content-Range": header("`bytes a-b/size` on 206; `bytes */size` on 416."),
};
export const ACCEPT_RANGES = { "Accept-Ranges": header("Always `bytes`.") };

const STATUS_MEANING: Record<number, string> = {
  400: "The request is invalid or a guardrail refused it (calling hours included)",
  401: "Missing, malformed, unknown or revoked key",
  403: "The signature did not verify",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict with the resource's state",
  413: "Body over 64 KiB",
  415: "Content-Type is not application/json",
  416: "The Range cannot be satisfied",
  422: "Idempotency-Key reused with a different body",
  426: "A WebSocket upgrade is required",
  429: "Too many calls, or the minute cap is reached",
  500: "Server error",
  502: "The carrier refused or failed the call",
  503: "Temporary storage failure; retry shortly",
};

/** Tokens every route can answer: an unexpected failure, or a misconfigured deployment. */
const SERVER_TOKENS: ErrorToken[] = ["internal", "bad_environment"];

/** Every status with the tokens it carries, each body `{ "error": <one of them> }`. */
export function errorResponses(...tokens: ErrorToken[]) {
  const byStatus = new Map<number, ErrorToken[]>();
  for (const token of [...tokens, ...SERVER_TOKENS]) {
    const list = byStatus.get(statusOf(token)) ?? [];
    if (!list.includes(token)) list.push(token);
    byStatus.set(statusOf(token), list);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      String(status),
      {
        description: `${STATUS_MEANING[status] ?? "Error"}: ${group.map((t) => `\`${t}\``).join(", ")}.`,
        headers: {
          ...REQUEST_ID,
          ...(group.includes("rate_limited") || group.includes("destination_frequency_capped")
            ? RETRY_AFTER
            : {}),
          ...(group.includes("outside_calling_window") ? NEXT_WINDOW_AT : {}),
          ...(group.includes("range_not_satisfiable") ? CONTENT_RANGE : {}),
        },
        content: { "application/json": { schema: errorBody(group) } },
      },
    ]),
  );
}

function errorBody(tokens: ErrorToken[]) {
  const [first, ...rest] = tokens;
  if (!first) throw new Error("an error response needs a token");
  return z.object({ error: z.enum([first, ...rest]) }).openapi({ example: { error: first } });
}

/** A JSON success response carrying `x-request-id` and any other headers given. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  description: string,
  headers: Record<string, Header> = {},
) {
  return {
    description,
    headers: { ...REQUEST_ID, ...headers },
    content: { "application/json": { schema } },
  };
}

export const AGENT_KEY = "agentKey";
export const ADMIN_TOKEN = "adminToken";

export const API_TITLE = "By Your Side voice agent API";

const DESCRIPTION = [
  "Place AI phone calls and read their outcome.",
  'Every error is `{ "error": token }`; each response below lists the tokens it can carry.',
  "Authenticate with `Authorization: Bearer bys_ak_…` (your agent key).",
].join(" ");

/** Registers what is not a route: the security schemes and the webhook the API sends. */
export function registerDocumentExtras(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", AGENT_KEY, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "bys_ak_…",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", ADMIN_TOKEN, {
    type: "http",
    scheme: "bearer",
    description: "The deployment's ADMIN_TOKEN secret.",
  });
  app.openAPIRegistry.registerWebhook({
    method: "post",
    path: "callEvent",
    summary: "A call changed status",
    description:
      "One event per transition: `call.dialing`, `call.in_progress`, then one terminal event carrying the full record. Signed per Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with your `whsec_` secret). Answer 2xx within 10 s; anything else is retried for about 27 h; 410 stops.",
    request: {
      body: {
        content: {
          "application/json": { schema: WebhookEventSchema.meta({ id: "WebhookEvent" }) },
        },
      },
    },
    responses: { 200: { description: "Received (any 2xx)." } },
  });
}

export function openApiDocument(app: OpenAPIHono<AppEnv>, serverUrl: string) {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: API_TITLE, version: "1.0.0", description: DESCRIPTION },
    servers: [{ url: serverUrl }],
    tags: [
      { name: "Calls", description: "Place, read, cancel calls; their webhook events." },
      { name: "Admin", description: "Operator API: accounts, numbers, keys (Bearer ADMIN_TOKEN)." },
      { name: "MCP", description: "The same operations as MCP tools over Streamable HTTP." },
      { name: "Carrier", description: "Where Twilio calls us: signed callbacks and media stream." },
      { name: "Meta", description: "Health, this document and its reference page." },
    ],
  });
}
