/** The calls table: tenant-scoped reads, cursor listing, usage for the minute cap. */
import { and, desc, eq, gte, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { FieldSpecSchema, type PlacedCall } from "../domain/call-params";
import type { CallProgress } from "../domain/call-record";
import { type CallStatus, LIVE_STATUSES } from "../domain/call-status";
import { billedMinutesSql } from "./billing-sql";
import type { Db } from "./client";
import { type CallRow, calls } from "./schema";

export type NewCall = typeof calls.$inferInsert;

export function insertCallStatement(db: Db, row: NewCall) {
  return db.insert(calls).values(row);
}

export async function findCall(db: Db, accountId: string, id: string) {
  return (
    await db
      .select()
      .from(calls)
      .where(and(eq(calls.accountId, accountId), eq(calls.id, id)))
      .limit(1)
  )[0];
}

export type CallPosition = { createdAt: string; id: string };

/** Most recent first; `after` is the last row of the previous page. */
export async function listCallRows(
  db: Db,
  accountId: string,
  opts: { limit: number; after?: CallPosition; statuses?: readonly CallStatus[] },
) {
  const conditions = [eq(calls.accountId, accountId)];
  if (opts.statuses) conditions.push(inArray(calls.status, [...opts.statuses]));
  if (opts.after) {
    const { createdAt, id } = opts.after;
    const older = or(
      lt(calls.createdAt, createdAt),
      and(eq(calls.createdAt, createdAt), lt(calls.id, id)),
    );
    if (older) conditions.push(older);
  }
  return db
    .select({
      id: calls.id,
      to: calls.to,
      objective: calls.objective,
      status: calls.status,
      summary: calls.summary,
      createdAt: calls.createdAt,
      startedAt: calls.startedAt,
      endedAt: calls.endedAt,
      durationSec: calls.durationSec,
    })
    .from(calls)
    .where(and(...conditions))
    .orderBy(desc(calls.createdAt), desc(calls.id))
    .limit(opts.limit);
}

/** Answered minutes (each call rounded up to whole minutes) of calls answered since `since`. */
export async function answeredMinutesSince(db: Db, accountId: string, since: string) {
  const rows = await db
    .select({
      minutes: sql<number>`coalesce(sum(${billedMinutesSql(calls.durationSec)}), 0)`,
    })
    .from(calls)
    .where(
      and(eq(calls.accountId, accountId), isNotNull(calls.startedAt), gte(calls.startedAt, since)),
    );
  return Number(rows[0]?.minutes ?? 0);
}

/**
 * Holds up to `wantSec` of the account's remaining minutes for a call that was just answered, in
 * one statement (so concurrent answers cannot both take the same minutes), and returns what it got.
 */
export async function reserveSeconds(
  db: Db,
  p: { callId: string; accountId: string; wantSec: number; capMinutes: number; since: string },
): Promise<number> {
  const c = alias(calls, "c");
  const rows = await db
    .update(calls)
    .set({
      reservedSec: sql`max(0, min(${p.wantSec}, ${p.capMinutes * 60}
        - (select coalesce(sum(${billedMinutesSql(c.durationSec)}), 0) * 60 from calls c
            where c.account_id = ${p.accountId} and c.started_at is not null and c.started_at >= ${p.since})
        - (select coalesce(sum(c.reserved_sec), 0) from calls c
            where c.account_id = ${p.accountId} and c.id != ${p.callId} and ${inArray(c.status, LIVE_STATUSES)})))`,
    })
    .where(eq(calls.id, p.callId))
    .returning({ reservedSec: calls.reservedSec });
  return rows[0]?.reservedSec ?? 0;
}

/** Mirrors the CallSession's state onto the row; the Durable Object is the only writer. */
export function writeCallProgressStatement(db: Db, callId: string, progress: CallProgress) {
  return db.update(calls).set(progress).where(eq(calls.id, callId));
}

export async function markCallFailed(db: Db, callId: string, error: string) {
  await db
    .update(calls)
    .set({ status: "failed", error, endedAt: new Date().toISOString() })
    .where(eq(calls.id, callId));
}

/** Calls still queued in D1 that were placed before `before`, oldest first. */
export async function findStrandedCalls(db: Db, before: string, limit: number) {
  return db
    .select()
    .from(calls)
    .where(and(eq(calls.status, "queued"), lt(calls.createdAt, before)))
    .orderBy(calls.createdAt)
    .limit(limit);
}

/** Calls still dialing or in progress in D1 that were placed before `before`, oldest first. */
export async function findOverdueCalls(db: Db, before: string, limit: number) {
  return db
    .select()
    .from(calls)
    .where(and(inArray(calls.status, ["dialing", "in_progress"]), lt(calls.createdAt, before)))
    .orderBy(calls.createdAt)
    .limit(limit);
}

/** The call as its session is given it, from its row (for calls whose start was lost). */
export function placedCallOf(row: CallRow): PlacedCall {
  return {
    callId: row.id,
    accountId: row.accountId,
    to: row.to,
    from: row.callerId,
    objective: row.objective,
    context: row.context,
    fields: z.array(FieldSpecSchema).parse(JSON.parse(row.fields)),
    voice: row.voice,
    language: row.language,
    languageSource: row.languageSource,
    webhookUrl: row.webhookUrl,
    createdAt: row.createdAt,
  };
}
