/** A call's webhook events with every delivery attempt, and redelivery on request. */
import { findCall } from "../db/calls.queries";
import { type Db, store } from "../db/client";
import { findEvent, listEvents, markRedelivering } from "../db/webhooks.queries";
import type { DeliveryMessage } from "../domain/webhook-event";
import { ApiError } from "../errors";
import { isoNow } from "../lib/time";

export async function callEvents(db: Db, accountId: string, callId: string) {
  if (!(await store(() => findCall(db, accountId, callId)))) throw new ApiError("not_found");
  const { events, attempts } = await store(() => listEvents(db, accountId, callId));
  return {
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      createdAt: e.createdAt,
      status: e.status,
      deliveredAt: e.deliveredAt,
      nextAttemptAt: e.nextAttemptAt,
      attempts: attempts
        .filter((a) => a.eventId === e.id)
        .map((a) => ({
          attempt: a.attempt,
          at: a.at,
          statusCode: a.statusCode,
          latencyMs: a.latencyMs,
          error: a.error,
        })),
      payload: JSON.parse(e.payload) as unknown,
    })),
  };
}

export async function redeliver(
  db: Db,
  queue: Queue<DeliveryMessage>,
  p: { accountId: string; callId: string; eventId: string },
) {
  const call = await store(() => findCall(db, p.accountId, p.callId));
  const event = call && (await store(() => findEvent(db, p.accountId, p.callId, p.eventId)));
  if (!event) throw new ApiError("not_found");
  if (!call.webhookUrl) throw new ApiError("no_webhook_url");
  await store(() => markRedelivering(db, event.id, isoNow()));
  await queue.send({ eventId: event.id });
  return { eventId: event.id, status: "pending" as const };
}
