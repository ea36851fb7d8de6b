/** A call's webhook events with every delivery attempt, and redelivery on request. */
import { findCall } from "../db/calls.queries";
import type { Db } from "../db/client";
import { findEvent, listEvents, markRedelivering } from "../db/webhooks.queries";
import type { DeliveryMessage } from "../domain/webhook-event";
import { ok } from "../lib/result";
import { isoNow } from "../lib/time";
import { fail, type Outcome, stored } from "./outcome";

export async function callEvents(db: Db, accountId: string, callId: string) {
  const call = await stored(() => findCall(db, accountId, callId));
  if (!call.ok) return call;
  if (!call.value) return fail("not_found");
  const log = await stored(() => listEvents(db, accountId, callId));
  if (!log.ok) return log;
  const { events, attempts } = log.value;
  return ok({
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
  });
}

export async function redeliver(
  db: Db,
  queue: Queue<DeliveryMessage>,
  p: { accountId: string; callId: string; eventId: string },
): Promise<Outcome<{ eventId: string; status: "pending" }>> {
  const found = await stored(async () => {
    const call = await findCall(db, p.accountId, p.callId);
    const event = call && (await findEvent(db, p.accountId, p.callId, p.eventId));
    return call && event ? { call, event } : undefined;
  });
  if (!found.ok) return found;
  if (!found.value) return fail("not_found");
  const { call, event } = found.value;
  if (!call.webhookUrl) return fail("no_webhook_url");
  const sent = await stored(async () => {
    await markRedelivering(db, event.id, isoNow());
    await queue.send({ eventId: event.id });
  });
  if (!sent.ok) return sent;
  return ok({ eventId: event.id, status: "pending" as const });
}
