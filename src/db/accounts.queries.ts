/** Accounts, their phone numbers and API keys. */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "./client";
import { accounts, apiKeys, phoneNumbers } from "./schema";

export type NewAccount = typeof accounts.$inferInsert;
export type NewApiKey = typeof apiKeys.$inferInsert;

export async function insertAccount(db: Db, row: NewAccount) {
  await db.insert(accounts).values(row);
}

export async function findAccount(db: Db, id: string) {
  return (await db.select().from(accounts).where(eq(accounts.id, id)).limit(1))[0];
}

export async function findAccountsByName(db: Db, name: string) {
  return db.select().from(accounts).where(eq(accounts.name, name)).orderBy(accounts.createdAt);
}

/** Sets the given settings; with none, only tells whether the account exists. */
export async function updateAccount(
  db: Db,
  id: string,
  patch: Partial<
    Pick<NewAccount, "minuteCap" | "maxCallsPerNumberPerDay" | "callingPolicy" | "displayName">
  >,
) {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) return (await findAccount(db, id)) !== undefined;
  const rows = await db
    .update(accounts)
    .set(set)
    .where(eq(accounts.id, id))
    .returning({ id: accounts.id });
  return rows.length > 0;
}

export async function listNumbers(db: Db, accountId: string) {
  return db
    .select()
    .from(phoneNumbers)
    .where(eq(phoneNumbers.accountId, accountId))
    .orderBy(phoneNumbers.createdAt);
}

/**
 * Adds a number (or finds it if present) and, with makeDefault, makes it the only default,
 * all in one transaction.
 */
export async function upsertNumber(
  db: Db,
  row: { id: string; accountId: string; number: string; createdAt: string },
  makeDefault: boolean,
) {
  const insert = db
    .insert(phoneNumbers)
    .values({ ...row, isDefault: false })
    .onConflictDoNothing();
  if (!makeDefault) {
    await insert;
    return;
  }
  await db.batch([
    insert,
    db
      .update(phoneNumbers)
      .set({ isDefault: false })
      .where(eq(phoneNumbers.accountId, row.accountId)),
    db
      .update(phoneNumbers)
      .set({ isDefault: true })
      .where(and(eq(phoneNumbers.accountId, row.accountId), eq(phoneNumbers.number, row.number))),
  ]);
}

export async function isNumberOnAccount(db: Db, accountId: string, number: string) {
  const rows = await db
    .select({ id: phoneNumbers.id })
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.accountId, accountId), eq(phoneNumbers.number, number)))
    .limit(1);
  return rows.length > 0;
}

export async function insertKey(db: Db, row: NewApiKey) {
  await db.insert(apiKeys).values(row);
}

export async function listKeys(db: Db, accountId: string) {
  return db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(apiKeys.createdAt);
}

export async function findKey(db: Db, id: string) {
  return (await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1))[0];
}

export async function updateKey(
  db: Db,
  id: string,
  patch: Partial<
    Pick<NewApiKey, "defaultVoice" | "defaultCallerId" | "defaultVoicemail" | "rateLimit" | "name">
  >,
) {
  const rows = await db.update(apiKeys).set(patch).where(eq(apiKeys.id, id)).returning();
  return rows[0];
}

export async function revokeKey(db: Db, id: string, at: string) {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return rows[0] ?? (await findKey(db, id));
}

/** The live (not revoked) key with this hash, with its account. */
export async function findActiveKeyByHash(db: Db, hash: string) {
  const rows = await db
    .select({ key: apiKeys, account: accounts })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return rows[0];
}

export async function touchKey(db: Db, id: string, at: string) {
  await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
}

export async function setWebhookSecrets(
  db: Db,
  id: string,
  secrets: Pick<NewAccount, "webhookSecret" | "previousWebhookSecret" | "previousSecretExpiresAt">,
) {
  await db.update(accounts).set(secrets).where(eq(accounts.id, id));
}
