/** Webhook events and their delivery attempts. */
import { and, asc, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { WebhookEvent, WebhookEventStatus } from "../domain/webhook-event";
import type { Db } from "./client";
import { accounts, calls, webhookDeliveries, webhookEvents } from "./schema";

export function insertEventStatement(
  db: Db,
  p: { event: WebhookEvent; accountId: string; status: WebhookEventStatus },
) {
  return db
    .insert(webhookEvents)
    .values({
      id: p.event.id,
      accountId: p.accountId,
      callId: p.event.callId,
      type: p.event.type,
      payload: JSON.stringify(p.event),
      status: p.status,
      createdAt: p.event.timestamp,
    })
    .onConflictDoNothing();
}

/** The event with what delivering it needs: the call's URL and the account's signing secrets. */
export async function findEventForDelivery(db: Db, eventId: string) {
  const rows = await db
    .select({ event: webhookEvents, webhookUrl: calls.webhookUrl, account: accounts })
    .from(webhookEvents)
    .innerJoin(calls, eq(calls.id, webhookEvents.callId))
    .innerJoin(accounts, eq(accounts.id, webhookEvents.accountId))
    .where(eq(webhookEvents.id, eventId))
    .limit(1);
  return rows[0];
}

export async function recordAttempt(
  db: Db,
  p: {
    eventId: string;
    attempt: number;
    at: string;
    statusCode: number | null;
    latencyMs: number;
    error: string | null;
    outcome: { status: WebhookEventStatus; deliveredAt?: string; nextAttemptAt?: string | null };
  },
) {
  await db.batch([
    db.insert(webhookDeliveries).values({
      id: `${p.eventId}:${p.attempt}:${crypto.randomUUID().slice(0, 8)}`,
      eventId: p.eventId,
      attempt: p.attempt,
      at: p.at,
      statusCode: p.statusCode,
      latencyMs: p.latencyMs,
      error: p.error,
    }),
    db
      .update(webhookEvents)
      .set({
        status: p.outcome.status,
        attempts: p.attempt,
        deliveredAt: p.outcome.deliveredAt ?? null,
        nextAttemptAt: p.outcome.nextAttemptAt ?? null,
      })
      .where(eq(webhookEvents.id, p.eventId)),
  ]);
}

export async function setEventStatus(db: Db, eventId: string, status: WebhookEventStatus) {
  await db
    .update(webhookEvents)
    .set({ status, nextAttemptAt: null })
    .where(eq(webhookEvents.id, eventId));
}

export async function listEvents(db: Db, accountId: string, callId: string) {
  const events = await db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.accountId, accountId), eq(webhookEvents.callId, callId)))
    .orderBy(asc(webhookEvents.createdAt), asc(webhookEvents.id));
  const attempts =
    events.length === 0
      ? []
      : await db
          .select()
          .from(webhookDeliveries)
          .where(
            inArray(
              webhookDeliveries.eventId,
              events.map((e) => e.id),
            ),
          )
          .orderBy(asc(webhookDeliveries.at), asc(webhookDeliveries.attempt));
  return { events, attempts };
}

export async function findEvent(db: Db, accountId: string, callId: string, eventId: string) {
  const rows = await db
    .select()
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.accountId, accountId),
        eq(webhookEvents.callId, callId),
        eq(webhookEvents.id, eventId),
      ),
    )
    .limit(1);
  return rows[0];
}

/**
 * Pending events whose queue message should have been delivered long ago: never attempted since
 * `before`, or due for a retry before `before`. Oldest first.
 */
export async function findStalledEvents(db: Db, before: string, limit: number) {
  return db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.status, "pending"),
        or(
          and(isNull(webhookEvents.nextAttemptAt), lt(webhookEvents.createdAt, before)),
          lt(webhookEvents.nextAttemptAt, before),
        ),
      ),
    )
    .orderBy(asc(webhookEvents.createdAt))
    .limit(limit);
}

/** Marks events as sent again now, so the next sweep leaves them alone for a while. */
export async function markRequeued(db: Db, eventIds: string[], at: string) {
  if (eventIds.length === 0) return;
  await db
    .update(webhookEvents)
    .set({ nextAttemptAt: at })
    .where(and(inArray(webhookEvents.id, eventIds), eq(webhookEvents.status, "pending")));
}

/** A redelivery: pending again, due now (so the sweeper does not take it for a lost message). */
export async function markRedelivering(db: Db, eventId: string, at: string) {
  await db
    .update(webhookEvents)
    .set({ status: "pending", nextAttemptAt: at })
    .where(eq(webhookEvents.id, eventId));
}
