/** /v1/agent/calls: place, read and list calls (the reference's REST surface). */

import type { z } from "zod";
import { answerQuestion } from "../app/answer-question";
import { callStream } from "../app/call-stream";
import { cancelCall } from "../app/cancel-call";
import { callEvents, redeliver } from "../app/event-log";
import { placeCall } from "../app/place-call";
import { getCall, listCalls } from "../app/read-calls";
import { readRecording } from "../app/recording";
import { tokenForIssues, tokenForQueryIssues } from "../domain/call-schemas";
import type { EventLogSchema } from "../domain/webhook-event";
import { durableCallEngine } from "../session-client/engine-client";
import { placementDeps } from "../wiring";
import { ApiError, orThrow } from "./api-error";
import { requireApiKey } from "./auth";
import {
  answerQuestionRoute,
  callEventsRoute,
  callStreamRoute,
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
    const placed = orThrow(await placeCall(deps, c.get("principal"), c.req.valid("json"), rawKey));
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
    const page = orThrow(
      await listCalls(c.get("db"), c.get("principal").accountId, {
        limit: q.limit,
        cursor: q.cursor,
        statuses: q.status,
      }),
    );
    return c.json(page, 200);
  },
  rejectWith({ query: tokenForQueryIssues }),
);

callsRoutes.openapi(cancelCallRoute, async (c) => {
  const origin = publicOrigin(c);
  const engine = durableCallEngine(c.env.CALL_SESSION, origin);
  const view = orThrow(
    await cancelCall(
      { db: c.get("db"), engine },
      { accountId: c.get("principal").accountId, callId: c.req.valid("param").id, baseUrl: origin },
    ),
  );
  return c.json(view, 202);
});

callsRoutes.openapi(answerQuestionRoute, async (c) => {
  const { id, questionId } = c.req.valid("param");
  const engine = durableCallEngine(c.env.CALL_SESSION, publicOrigin(c));
  const answered = orThrow(
    await answerQuestion(
      { db: c.get("db"), engine },
      {
        accountId: c.get("principal").accountId,
        callId: id,
        questionId,
        answer: c.req.valid("json").answer,
        by: "rest",
      },
    ),
  );
  return c.json(answered, 200);
});

callsRoutes.openapi(callStreamRoute, async (c) => {
  const engine = durableCallEngine(c.env.CALL_SESSION, publicOrigin(c));
  return orThrow(
    await callStream(
      { db: c.get("db"), engine },
      {
        accountId: c.get("principal").accountId,
        callId: c.req.valid("param").id,
        lastEventId: c.req.header("last-event-id") ?? null,
      },
    ),
  );
});

callsRoutes.openapi(callEventsRoute, async (c) => {
  const log = orThrow(
    await callEvents(c.get("db"), c.get("principal").accountId, c.req.valid("param").id),
  );
  // The query layer types the stored status and payload loosely; only the delivery code writes
  // them, with the values EventLogSchema lists.
  return c.json(log as z.output<typeof EventLogSchema>, 200);
});

callsRoutes.openapi(redeliverRoute, async (c) => {
  const { id, eventId } = c.req.valid("param");
  const result = orThrow(
    await redeliver(c.get("db"), c.env.WEBHOOKS, {
      accountId: c.get("principal").accountId,
      callId: id,
      eventId,
    }),
  );
  return c.json(result, 202);
});

callsRoutes.openapi(recordingRoute, async (c) => {
  const recording = orThrow(
    await readRecording(
      c.get("db"),
      c.env.RECORDINGS,
      c.get("principal").accountId,
      c.req.valid("param").id,
      c.req.header("range"),
    ),
  );
  const { size, range } = recording;
  const headers = new Headers({
    "content-type": "audio/wav",
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=3600",
    etag: recording.etag,
    "content-length": String(range ? range.length : size),
  });
  if (!range) return new Response(recording.body, { status: 200, headers });
  headers.set("content-range", `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`);
  return new Response(recording.body, { status: 206, headers });
});

callsRoutes.openapi(getCallRoute, async (c) => {
  const call = orThrow(
    await getCall(
      c.get("db"),
      c.get("principal").accountId,
      c.req.valid("param").id,
      publicOrigin(c),
    ),
  );
  return c.json(call, 200);
});
