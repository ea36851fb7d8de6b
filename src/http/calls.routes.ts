/** /v1/agent/calls: place, read and list calls (the reference's REST surface). */
import { Hono } from "hono";
import { z } from "zod";
import { type PlaceCallDeps, placeCall } from "../calls/place-call";
import { getCall, listCalls } from "../calls/read-calls";
import {
  ListCallsQuerySchema,
  PlaceCallBodySchema,
  tokenForIssues,
  tokenForQueryIssues,
} from "../calls/schemas";
import { ApiError } from "../errors";
import { takeRateSlot } from "../limits/rate-limiter.do";
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
    const deps: PlaceCallDeps = {
      db: c.get("db"),
      config: c.get("config"),
      takeRateSlot: (keyId, limit) => takeRateSlot(c.env.RATE_LIMITER, keyId, limit),
    };
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
  .get("/:id", async (c) => {
    const call = await getCall(
      c.get("db"),
      c.get("principal").accountId,
      c.req.param("id"),
      new URL(c.req.url).origin,
    );
    return c.json(call);
  });
