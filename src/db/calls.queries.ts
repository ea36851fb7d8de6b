/** The calls table: tenant-scoped reads, cursor listing, usage for the minute cap. */
import {
  and,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  is,
  isNotNull,
  isNull,
  lt,
  or,
  SQL,
  sql,
} from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { VoicemailSettingSchema } from "../domain/answering";
import { FieldSpecSchema, type PlacedCall } from "../domain/call-params";
import type { CallProgress } from "../domain/call-record";
import { type CallStatus, LIVE_STATUSES } from "../domain/call-status";
import { LIVE_EVENT_KINDS } from "../domain/live-transcript";
import { DEFAULT_MAX_HOLD_SEC } from "../domain/phone-tree";
import { billedMinutesSql } from "./billing-sql";
import type { Db } from "./client";
import { type CallRow, calls } from "./schema";

export type NewCall = typeof calls.$inferInsert;

/** The account's minute cap and the start of its billing period, for the admission check. */
export type CapWindow = { capMinutes: number; since: string };

/**
 * Inserts the call, holding `row.reservedSec` against the minute cap, only if the cap can carry
 * it: answered minutes + what live calls hold + this hold ≤ cap (`admits` in
 * src/domain/billing.ts). The check and the hold are one statement (INSERT … SELECT … WHERE), so
 * two placements cannot both take the last minute: D1 runs statements one at a time and has no
 * row locks to read and then write under. Returns the inserted id, or nothing when refused.
 * `cap` null: no cap, always inserted.
 */
export function insertCallWithinCapStatement(
  db: Db,
  row: NewCall & { reservedSec: number },
  cap: CapWindow | null,
  frequency?: FrequencyWindow,
) {
  const fits =
    cap === null
      ? sql`1`
      : sql`${usedSecSql(row.accountId, cap.since)} + ${heldSecSql(row.accountId)} + ${row.reservedSec} <= ${cap.capMinutes * 60}`;
  const underFrequencyCap =
    frequency === undefined
      ? sql`1`
      : sql`${countedToNumberSql(row.accountId, row.to, frequency.dayAgo)} < ${frequency.max}`;
  return db
    .insert(calls)
    .select(sql`select ${columnValues(row)} where ${fits} and ${underFrequencyCap}`)
    .returning({ id: calls.id });
}

/** The per-number frequency cap: at most `max` counted calls to one number since `dayAgo`. */
export type FrequencyWindow = { max: number; dayAgo: string };

/**
 * Calls to `to` placed since `dayAgo` that count against the frequency cap: dialed, or still
 * live (they may be). The same rule as placementFacts' `recentToNumber`, inside the insert so
 * concurrent placements to one number cannot all pass it.
 */
export function countedToNumberSql(accountId: string, to: string, dayAgo: string): SQL<number> {
  const c = alias(calls, "c");
  return sql<number>`(select count(*) from calls c
    where ${c.accountId} = ${accountId} and ${c.to} = ${to} and ${c.createdAt} > ${dayAgo}
      and (${c.providerCallId} is not null or ${inArray(c.status, LIVE_STATUSES)}))`;
}

/** The row's values in the table's column order (as drizzle lists the columns of an INSERT). */
function columnValues(row: NewCall): SQL {
  const values = Object.entries(getTableColumns(calls)).map(([key, column]) => {
    // Object.entries forgets that the keys are the table's column keys, which NewCall has.
    const value = row[key as keyof NewCall];
    if (value !== undefined) return sql.param(value, column);
    if (column.default === undefined) return sql`null`;
    return is(column.default, SQL) ? column.default : sql.param(column.default, column);
  });
  return sql.join(values, sql`, `);
}

/** Answered seconds this billing period, in whole minutes per call (what the cap counts). */
function usedSecSql(accountId: string, since: string): SQL<number> {
  const c = alias(calls, "c");
  return sql<number>`(select coalesce(sum(${billedMinutesSql(c.durationSec)}), 0) * 60 from calls c
    where ${c.accountId} = ${accountId} and ${c.startedAt} is not null and ${c.startedAt} >= ${since})`;
}

/** Seconds live calls hold against the cap, but for `exceptCallId`'s own hold. */
function heldSecSql(accountId: string, exceptCallId?: string): SQL<number> {
  const c = alias(calls, "c");
  const others = exceptCallId === undefined ? sql`1` : sql`${c.id} != ${exceptCallId}`;
  return sql<number>`(select coalesce(sum(${c.reservedSec}), 0) from calls c
    where ${c.accountId} = ${accountId} and ${others} and ${inArray(c.status, LIVE_STATUSES)})`;
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
      scheduledFor: calls.scheduledFor,
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
 * The call's own hold from placement counts as available to it: the grant replaces it.
 */
export async function reserveSeconds(
  db: Db,
  p: { callId: string; accountId: string; wantSec: number; capMinutes: number; since: string },
): Promise<number> {
  const rows = await db
    .update(calls)
    .set({
      reservedSec: sql`max(0, min(${p.wantSec}, ${p.capMinutes * 60}
        - ${usedSecSql(p.accountId, p.since)} - ${heldSecSql(p.accountId, p.callId)}))`,
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
    .set({ status: "failed", error, endedAt: new Date().toISOString(), reservedSec: 0 })
    .where(eq(calls.id, callId));
}

/** Calls still queued in D1 that were placed before `before`, oldest first. */
export async function findStrandedCalls(db: Db, before: string, limit: number) {
  return db
    .select()
    .from(calls)
    .where(
      and(
        eq(calls.status, "queued"),
        lt(calls.createdAt, before),
        // A scheduled call waits for its alarm; it is stranded only once it is overdue.
        or(isNull(calls.scheduledFor), lt(calls.scheduledFor, before)),
      ),
    )
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
    scheduledFor: row.scheduledFor,
    ...(row.voicemail
      ? { voicemail: VoicemailSettingSchema.parse(JSON.parse(row.voicemail)) }
      : {}),
    maxHoldSec: row.maxHoldSec ?? DEFAULT_MAX_HOLD_SEC,
    transferTo: row.transferTo,
    transferWhen: row.transferWhen,
    questionTimeoutSec: row.questionsTimeoutSec,
    ...(row.liveEvents
      ? { liveEvents: z.array(z.enum(LIVE_EVENT_KINDS)).parse(JSON.parse(row.liveEvents)) }
      : {}),
  };
}
