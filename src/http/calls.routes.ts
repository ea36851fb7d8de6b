/** /v1/agent/calls: place, read and list calls (the reference's REST surface). */

import type { z } from "zod";
import { cancelCall } from "../app/cancel-call";
import { callEvents, redeliver } from "../app/event-log";
import { placeCall } from "../app/place-call";
import { getCall, listCalls } from "../app/read-calls";
import { recordingResponse } from "../app/recording";
import { durableCallEngine } from "../call-session/engine-client";
import { tokenForIssues, tokenForQueryIssues } from "../domain/call-schemas";
import type { EventLogSchema } from "../domain/webhook-event";
import { ApiError } from "../errors";
import { placementDeps } from "../wiring";
import { requireApiKey } from "./auth";
import {
  callEventsRoute,
  cancelCallRoute,
  getCallRoute,
  IDEMPOTENCY_KEY,
  listCallsRoute,
  placeCallRoute,
  recordingRoute,
  redeliverRoute,
} from "./calls.contracts";
import { publicOrigin } from "./origin";
import { createRouter, rejectWith } from "./validate";

export const callsRoutes = createRouter();

callsRoutes.use(requireApiKey);

callsRoutes.openapi(
  placeCallRoute,
  async (c) => {
    const rawKey = c.req.header("idempotency-key");
    if (rawKey !== undefined && !IDEMPOTENCY_KEY.test(rawKey)) {
      throw new ApiError("invalid_idempotency_key");
    }
    const deps = placementDeps(c.env, c.get("config"), c.get("db"), {
      requestOrigin: publicOrigin(c),
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    });
    const placed = await placeCall(deps, c.get("principal"), c.req.valid("json"), rawKey);
    if (placed.replayed) c.header("Idempotent-Replayed", "true");
    c.header("Location", `/v1/agent/calls/${placed.response.callId}`);
    return c.json(placed.response, 202);
  },
  rejectWith({ json: tokenForIssues }),
);

callsRoutes.openapi(
  listCallsRoute,
  async (c) => {
    const q = c.req.valid("query");
    const page = await listCalls(c.get("db"), c.get("principal").accountId, {
      limit: q.limit,
      cursor: q.cursor,
      statuses: q.status,
    });
    return c.json(page, 200);
  },
  rejectWith({ query: tokenForQueryIssues }),
);

callsRoutes.openapi(cancelCallRoute, async (c) => {
  const origin = publicOrigin(c);
  const engine = durableCallEngine(c.env.CALL_SESSION, origin);
  const view = await cancelCall(
    { db: c.get("db"), engine },
    { accountId: c.get("principal").accountId, callId: c.req.valid("param").id, baseUrl: origin },
  );
  return c.json(view, 202);
});

callsRoutes.openapi(callEventsRoute, async (c) => {
  const log = await callEvents(c.get("db"), c.get("principal").accountId, c.req.valid("param").id);
  // The query layer types the stored status and payload loosely; only the delivery code writes
  // them, with the values EventLogSchema lists.
  return c.json(log as z.output<typeof EventLogSchema>, 200);
});

callsRoutes.openapi(redeliverRoute, async (c) => {
  const { id, eventId } = c.req.valid("param");
  const result = await redeliver(c.get("db"), c.env.WEBHOOKS, {
    accountId: c.get("principal").accountId,
    callId: id,
    eventId,
  });
  return c.json(result, 202);
});

callsRoutes.openapi(recordingRoute, async (c) =>
  recordingResponse(
    c.get("db"),
    c.env.RECORDINGS,
    c.get("principal").accountId,
    c.req.valid("param").id,
    c.req.header("range"),
  ),
);

callsRoutes.openapi(getCallRoute, async (c) => {
  const call = await getCall(
    c.get("db"),
    c.get("principal").accountId,
    c.req.valid("param").id,
    publicOrigin(c),
  );
  return c.json(call, 200);
});
