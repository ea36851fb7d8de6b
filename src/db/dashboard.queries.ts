/** The dashboard's own statements over numbers and keys (the rest reuses accounts.queries). */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "./client";
import { apiKeys, phoneNumbers } from "./schema";

/** Whether an active key of the account has the number as its default caller ID. */
export async function isNumberUsedByKey(db: Db, accountId: string, number: string) {
  const rows = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.accountId, accountId),
        eq(apiKeys.defaultCallerId, number),
        isNull(apiKeys.revokedAt),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

export async function deleteNumber(db: Db, accountId: string, number: string) {
  const rows = await db
    .delete(phoneNumbers)
    .where(and(eq(phoneNumbers.accountId, accountId), eq(phoneNumbers.number, number)))
    .returning({ id: phoneNumbers.id });
  return rows.length > 0;
}
