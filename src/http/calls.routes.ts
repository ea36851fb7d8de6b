/** /v1/agent/calls: place, read and list calls (the reference's REST surface). */
import { Hono } from "hono";
import { z } from "zod";
import { durableCallEngine } from "../call-session/engine-client";
import { cancelCall } from "../calls/cancel-call";
import { placeCall } from "../calls/place-call";
import { placementDeps } from "../calls/placement-deps";
import { getCall, listCalls } from "../calls/read-calls";
import { recordingResponse } from "../calls/recording";
import {
  ListCallsQuerySchema,
  PlaceCallBodySchema,
  tokenForIssues,
  tokenForQueryIssues,
} from "../calls/schemas";
import { ApiError } from "../errors";
import { callEvents, redeliver } from "../webhooks/event-log";
import type { AppEnv } from "./app-env";
import { requireApiKey } from "./auth";
import { jsonOnly, validate } from "./validate";

/** Printable ASCII, as Stripe and the IETF draft allow; long enough for a UUID or a hash. */
const IdempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/);

export const callsRoutes = new Hono<AppEnv>()
  .use(requireApiKey)
  .post("/", jsonOnly, validate("json", PlaceCallBodySchema, tokenForIssues), async (c) => {
    const rawKey = c.req.header("idempotency-key");
    if (rawKey !== undefined && !IdempotencyKeySchema.safeParse(rawKey).success) {
      throw new ApiError("invalid_idempotency_key");
    }
    const deps = placementDeps(c.env, c.get("config"), c.get("db"), {
      requestOrigin: new URL(c.req.url).origin,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    });
    const body: unknown = await c.req.json();
    const placed = await placeCall(deps, c.get("principal"), body, rawKey);
    if (placed.replayed) c.header("Idempotent-Replayed", "true");
    c.header("Location", `/v1/agent/calls/${placed.response.callId}`);
    return c.json(placed.response, 202);
  })
  .get("/", validate("query", ListCallsQuerySchema, tokenForQueryIssues), async (c) => {
    const q = c.req.valid("query");
    const page = await listCalls(c.get("db"), c.get("principal").accountId, {
      limit: q.limit,
      cursor: q.cursor,
      statuses: q.status,
    });
    return c.json(page);
  })
  .post("/:id/cancel", async (c) => {
    const origin = new URL(c.req.url).origin;
    const engine = durableCallEngine(c.env.CALL_SESSION, c.get("config").publicBaseUrl ?? origin);
    const view = await cancelCall(
      { db: c.get("db"), engine },
      { accountId: c.get("principal").accountId, callId: c.req.param("id"), baseUrl: origin },
    );
    return c.json(view, 202);
  })

  .get("/:id/events", async (c) =>
    c.json(await callEvents(c.get("db"), c.get("principal").accountId, c.req.param("id"))),
  )
  .post("/:id/events/:eventId/redeliver", async (c) => {
    const result = await redeliver(c.get("db"), c.env.WEBHOOKS, {
      accountId: c.get("principal").accountId,
      callId: c.req.param("id"),
      eventId: c.req.param("eventId"),
    });
    return c.json(result, 202);
  })
  .get("/:id/recording", async (c) =>
    recordingResponse(
      c.get("db"),
      c.env.RECORDINGS,
      c.get("principal").accountId,
      c.req.param("id"),
      c.req.header("range"),
    ),
  )
  .get("/:id", async (c) => {
    const call = await getCall(
      c.get("db"),
      c.get("principal").accountId,
      c.req.param("id"),
      new URL(c.req.url).origin,
    );
    return c.json(call);
  });
