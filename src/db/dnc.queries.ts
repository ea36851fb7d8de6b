/** The do_not_call table: an account's list of numbers it must never call. */
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "./client";
import { doNotCall } from "./schema";

export type NewDncEntry = typeof doNotCall.$inferInsert;
export type DncPosition = { createdAt: string; number: string };

const entryColumns = {
  number: doNotCall.number,
  reason: doNotCall.reason,
  source: doNotCall.source,
  createdAt: doNotCall.createdAt,
};

/** Adds the entry unless the number is listed already; answers the stored entry and whether it is new. */
export async function addDncEntry(db: Db, row: NewDncEntry) {
  const inserted = await db
    .insert(doNotCall)
    .values(row)
    .onConflictDoNothing()
    .returning(entryColumns);
  if (inserted[0]) return { entry: inserted[0], created: true };
  const existing = await db
    .select(entryColumns)
    .from(doNotCall)
    .where(and(eq(doNotCall.accountId, row.accountId), eq(doNotCall.number, row.number)))
    .limit(1);
  // A concurrent removal between the two statements: report it as added, as it was.
  return { entry: existing[0] ?? entryColumnsOf(row), created: false };
}

function entryColumnsOf(row: NewDncEntry) {
  return {
    number: row.number,
    reason: row.reason ?? null,
    source: row.source,
    createdAt: row.createdAt,
  };
}

/** True when the number was on the list. */
export async function removeDncEntry(db: Db, accountId: string, number: string) {
  const rows = await db
    .delete(doNotCall)
    .where(and(eq(doNotCall.accountId, accountId), eq(doNotCall.number, number)))
    .returning({ number: doNotCall.number });
  return rows.length > 0;
}

/** Most recent first; `after` is the last entry of the previous page. */
export async function listDncRows(
  db: Db,
  accountId: string,
  opts: { limit: number; after?: DncPosition },
) {
  const conditions = [eq(doNotCall.accountId, accountId)];
  if (opts.after) {
    const { createdAt, number } = opts.after;
    const older = or(
      lt(doNotCall.createdAt, createdAt),
      and(eq(doNotCall.createdAt, createdAt), lt(doNotCall.number, number)),
    );
    if (older) conditions.push(older);
  }
  return db
    .select(entryColumns)
    .from(doNotCall)
    .where(and(...conditions))
    .orderBy(desc(doNotCall.createdAt), desc(doNotCall.number))
    .limit(opts.limit);
}
