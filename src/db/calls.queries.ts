/** The calls table: tenant-scoped reads, cursor listing, usage for the minute cap. */
import { and, desc, eq, gte, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { calls } from "./schema";

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
  opts: { limit: number; after?: CallPosition; statuses?: readonly string[] },
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
      minutes: sql<number>`coalesce(sum((${calls.durationSec} + 59) / 60), 0)`,
    })
    .from(calls)
    .where(
      and(eq(calls.accountId, accountId), isNotNull(calls.startedAt), gte(calls.startedAt, since)),
    );
  return Number(rows[0]?.minutes ?? 0);
}
