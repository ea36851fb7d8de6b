/**
 * Idempotency-Key records: (account, key) → request fingerprint and the stored response.
 * A row is "pending" while the first request runs and "complete" once its response is stored.
 */
import { and, eq, exists } from "drizzle-orm";
import type { Db } from "./client";
import { calls, idempotencyKeys } from "./schema";

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

/** Claims the key; returns undefined when it was free, else the existing record. */
export async function claimKey(
  db: Db,
  row: { accountId: string; key: string; fingerprint: string; createdAt: string },
): Promise<IdempotencyRecord | undefined> {
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ ...row, state: "pending" })
    .onConflictDoNothing()
    .returning();
  if (inserted.length > 0) return undefined;
  const existing = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.accountId, row.accountId), eq(idempotencyKeys.key, row.key)))
    .limit(1);
  return existing[0];
}

/** Removes an expired record (only if it is still the one we saw) so the key can be claimed anew. */
export async function dropExpiredKey(db: Db, record: IdempotencyRecord) {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.accountId, record.accountId),
        eq(idempotencyKeys.key, record.key),
        eq(idempotencyKeys.createdAt, record.createdAt),
      ),
    );
}

/**
 * Stores the response, but only once the call row exists: in the placement's batch, a call that
 * the minute cap refused leaves the key pending, to be released like any failed request.
 */
export function completeKeyStatement(
  db: Db,
  accountId: string,
  key: string,
  result: { callId: string; status: number; body: string },
) {
  return db
    .update(idempotencyKeys)
    .set({
      state: "complete",
      callId: result.callId,
      responseStatus: result.status,
      responseBody: result.body,
    })
    .where(
      and(
        eq(idempotencyKeys.accountId, accountId),
        eq(idempotencyKeys.key, key),
        exists(db.select({ id: calls.id }).from(calls).where(eq(calls.id, result.callId))),
      ),
    );
}

/** Frees a pending key after a failed request, so the client can retry with it. */
export async function releaseKey(db: Db, accountId: string, key: string) {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.accountId, accountId),
        eq(idempotencyKeys.key, key),
        eq(idempotencyKeys.state, "pending"),
      ),
    );
}
