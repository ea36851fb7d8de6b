/** Dashboard users, their sessions and the failed sign-in counters. */
import { and, eq, gt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { accounts, dashboardSessions, dashboardSignInFailures, dashboardUsers } from "./schema";

export type NewDashboardUser = typeof dashboardUsers.$inferInsert;

export async function insertUser(db: Db, row: NewDashboardUser) {
  const inserted = await db
    .insert(dashboardUsers)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: dashboardUsers.id });
  return inserted.length > 0;
}

export async function findUserByEmail(db: Db, email: string) {
  return (
    await db.select().from(dashboardUsers).where(eq(dashboardUsers.email, email)).limit(1)
  )[0];
}

/** Replaces a user's pending invite (a new link for a user created before). */
export async function setInvite(db: Db, userId: string, tokenHash: string, expiresAt: string) {
  await db
    .update(dashboardUsers)
    .set({ inviteTokenHash: tokenHash, inviteExpiresAt: expiresAt })
    .where(eq(dashboardUsers.id, userId));
}

/** Uses the invite: sets the password and clears the token, if the token is still valid. */
export async function redeemInvite(db: Db, tokenHash: string, passwordHash: string, now: string) {
  const rows = await db
    .update(dashboardUsers)
    .set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null })
    .where(
      and(eq(dashboardUsers.inviteTokenHash, tokenHash), gt(dashboardUsers.inviteExpiresAt, now)),
    )
    .returning();
  return rows[0];
}

export async function setPassword(db: Db, userId: string, passwordHash: string) {
  await db
    .update(dashboardUsers)
    .set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null })
    .where(eq(dashboardUsers.id, userId));
}

export async function findInvite(db: Db, tokenHash: string, now: string) {
  return (
    await db
      .select({ email: dashboardUsers.email })
      .from(dashboardUsers)
      .where(
        and(eq(dashboardUsers.inviteTokenHash, tokenHash), gt(dashboardUsers.inviteExpiresAt, now)),
      )
      .limit(1)
  )[0];
}

export async function insertSession(
  db: Db,
  row: { tokenHash: string; userId: string; createdAt: string },
  signedInAt: string,
) {
  await db.batch([
    db.insert(dashboardSessions).values({ ...row, lastSeenAt: row.createdAt }),
    db
      .update(dashboardUsers)
      .set({ lastSignInAt: signedInAt })
      .where(eq(dashboardUsers.id, row.userId)),
  ]);
}

/** The session with its user and the user's account. */
export async function findSession(db: Db, tokenHash: string) {
  return (
    await db
      .select({ session: dashboardSessions, user: dashboardUsers, account: accounts })
      .from(dashboardSessions)
      .innerJoin(dashboardUsers, eq(dashboardUsers.id, dashboardSessions.userId))
      .innerJoin(accounts, eq(accounts.id, dashboardUsers.accountId))
      .where(eq(dashboardSessions.tokenHash, tokenHash))
      .limit(1)
  )[0];
}

export async function touchSession(db: Db, tokenHash: string, at: string) {
  await db
    .update(dashboardSessions)
    .set({ lastSeenAt: at })
    .where(eq(dashboardSessions.tokenHash, tokenHash));
}

export async function deleteSession(db: Db, tokenHash: string) {
  await db.delete(dashboardSessions).where(eq(dashboardSessions.tokenHash, tokenHash));
}

export async function deleteUserSessions(db: Db, userId: string) {
  await db.delete(dashboardSessions).where(eq(dashboardSessions.userId, userId));
}

export async function findFailures(db: Db, subjects: string[]) {
  return db
    .select()
    .from(dashboardSignInFailures)
    .where(sql`${dashboardSignInFailures.subject} in ${subjects}`);
}

/** Counts one failure for each subject: a new window once the old one has passed. */
export async function recordFailure(db: Db, subjects: string[], now: string, windowFloor: string) {
  const [first, ...rest] = subjects.map((subject) =>
    db
      .insert(dashboardSignInFailures)
      .values({ subject, failures: 1, windowStartedAt: now })
      .onConflictDoUpdate({
        target: dashboardSignInFailures.subject,
        set: {
          failures: sql`case when ${dashboardSignInFailures.windowStartedAt} <= ${windowFloor} then 1 else ${dashboardSignInFailures.failures} + 1 end`,
          windowStartedAt: sql`case when ${dashboardSignInFailures.windowStartedAt} <= ${windowFloor} then ${now} else ${dashboardSignInFailures.windowStartedAt} end`,
        },
      }),
  );
  if (first) await db.batch([first, ...rest]);
}
