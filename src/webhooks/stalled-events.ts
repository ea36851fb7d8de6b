/**
 * The sweeper's webhook half (the cron trigger): an event still `pending` long after it was due
 * has lost its queue message (a local queue's messages live in memory and die with a reload; a
 * send can fail after the event was stored). Such events are sent to the queue again; delivery
 * numbers the attempt from the event's log, so the retry schedule goes on where it was. At worst a receiver gets an event twice, with the same `webhook-id`.
 */
import { makeDb } from "../db/client";
import { findStalledEvents, markRequeued } from "../db/webhooks.queries";
import type { DeliveryMessage } from "../domain/webhook-event";
import { readConfig } from "../env";
import { isoNow } from "../lib/time";

const MAX_PER_SWEEP = 100;

export async function requeueStalledEvents(env: Env, now = Date.now()): Promise<number> {
  const db = makeDb(env.DB);
  // A queue delivers a message within seconds of when it is due; the default is far beyond that.
  const { webhookStalledAfterMs } = readConfig(env);
  const stalled = await findStalledEvents(db, isoNow(now - webhookStalledAfterMs), MAX_PER_SWEEP);
  if (stalled.length === 0) return 0;
  // Marked first: an attempt made from the new message then sets its own next time, and a
  // failed send is simply found again by a later sweep.
  await markRequeued(
    db,
    stalled.map((e) => e.id),
    isoNow(now),
  );
  await env.WEBHOOKS.sendBatch(
    stalled.map((e) => ({ body: { eventId: e.id } satisfies DeliveryMessage })),
  );
  console.warn("sweeper re-sent stalled webhook events", { count: stalled.length });
  return stalled.length;
}
