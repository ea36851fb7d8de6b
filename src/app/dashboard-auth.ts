/**
 * Dashboard users and sessions: the operator's invite, setting a password through it, sign-in
 * (rate-limited per email and per client; the failure never tells whether the email exists),
 * session lookup with idle and absolute expiry, sign-out and sign-out everywhere.
 */
import { findAccount } from "../db/accounts.queries";
import type { Db } from "../db/client";
import type { AccountRow } from "../db/schema";
import {
  deleteSession,
  deleteUserSessions,
  findFailures,
  findInvite,
  findSession,
  findUserByEmail,
  insertSession,
  insertUser,
  recordFailure,
  redeemInvite,
  setInvite,
  setPassword,
  touchSession,
} from "../db/users.queries";
import {
  failuresInWindow,
  hashPassword,
  INVITE_TTL_MS,
  MAX_FAILURES_PER_CLIENT,
  MAX_FAILURES_PER_EMAIL,
  normalizeEmail,
  passwordProblem,
  randomToken,
  SIGN_IN_WINDOW_MS,
  sessionIsLive,
  sessionNeedsTouch,
  verifyPassword,
} from "../domain/dashboard-auth";
import { newId, sha256Hex } from "../lib/crypto";
import { ok } from "../lib/result";
import { isoNow } from "../lib/time";
import { fail, type Outcome, stored } from "./outcome";

export const SIGN_IN_PATH = "/dashboard/sign-in";
export const SET_PASSWORD_PATH = "/dashboard/set-password";

export type CreatedUser = {
  id: string;
  accountId: string;
  email: string;
  /** Where the user sets a password (one-time, expires), or the sign-in page when one was given. */
  signInUrl: string;
  signInUrlExpiresAt: string | null;
};

/**
 * Creates a user of the account with a one-time set-password link, or, for an email already on
 * the account, issues a new link (the old one stops working). With `password` (local development,
 * tests) the password is set at once instead. An email of another account → invalid_request.
 */
export async function createUser(
  db: Db,
  p: { accountId: string; email: string; password?: string; origin: string },
): Promise<Outcome<CreatedUser>> {
  const email = normalizeEmail(p.email);
  if (!email) return fail("invalid_request");
  if (p.password !== undefined && passwordProblem(p.password)) return fail("invalid_request");
  const account = await stored(() => findAccount(db, p.accountId));
  if (!account.ok) return account;
  if (!account.value) return fail("not_found");

  const now = Date.now();
  let user = await stored(() => findUserByEmail(db, email));
  if (!user.ok) return user;
  if (!user.value) {
    const id = newId("usr");
    const inserted = await stored(() =>
      insertUser(db, { id, accountId: p.accountId, email, createdAt: isoNow(now) }),
    );
    if (!inserted.ok) return inserted;
    user = await stored(() => findUserByEmail(db, email));
    if (!user.ok) return user;
  }
  const existing = user.value;
  if (!existing || existing.accountId !== p.accountId) return fail("invalid_request");

  if (p.password !== undefined) {
    const hash = await hashPassword(p.password);
    const saved = await stored(() => setPassword(db, existing.id, hash));
    if (!saved.ok) return saved;
    return ok({
      id: existing.id,
      accountId: p.accountId,
      email,
      signInUrl: `${p.origin}${SIGN_IN_PATH}`,
      signInUrlExpiresAt: null,
    });
  }
  const token = randomToken();
  const expiresAt = isoNow(now + INVITE_TTL_MS);
  const saved = await stored(async () =>
    setInvite(db, existing.id, await sha256Hex(token), expiresAt),
  );
  if (!saved.ok) return saved;
  return ok({
    id: existing.id,
    accountId: p.accountId,
    email,
    signInUrl: `${p.origin}${SET_PASSWORD_PATH}?token=${token}`,
    signInUrlExpiresAt: expiresAt,
  });
}

/** The email an unused, unexpired invite is for (to show on the set-password page). */
export async function inviteEmail(db: Db, token: string): Promise<Outcome<string>> {
  const found = await stored(async () => findInvite(db, await sha256Hex(token), isoNow()));
  if (!found.ok) return found;
  return found.value ? ok(found.value.email) : fail("not_found");
}

/** Sets the password through the invite (used once) and signs the user in. */
export async function acceptInvite(
  db: Db,
  token: string,
  password: string,
): Promise<Outcome<{ sessionToken: string }>> {
  if (passwordProblem(password)) return fail("invalid_request");
  const hash = await hashPassword(password);
  const user = await stored(async () => redeemInvite(db, await sha256Hex(token), hash, isoNow()));
  if (!user.ok) return user;
  const redeemed = user.value;
  if (!redeemed) return fail("not_found");
  // Sessions opened before (someone who knew the old password) end with the new one.
  const cleared = await stored(() => deleteUserSessions(db, redeemed.id));
  if (!cleared.ok) return cleared;
  return startSession(db, redeemed.id);
}

async function startSession(db: Db, userId: string): Promise<Outcome<{ sessionToken: string }>> {
  const sessionToken = randomToken();
  const now = isoNow();
  const saved = await stored(async () =>
    insertSession(db, { tokenHash: await sha256Hex(sessionToken), userId, createdAt: now }, now),
  );
  if (!saved.ok) return saved;
  return ok({ sessionToken });
}

/**
 * Signs in with email and password. Every failure is `unauthorized` whether or not the email
 * exists (a password is hashed either way); too many failures for the email or from the client
 * in the window → `rate_limited` with the seconds until the window ends.
 */
export async function signIn(
  db: Db,
  p: { email: string; password: string; client: string },
): Promise<Outcome<{ sessionToken: string }>> {
  const email = normalizeEmail(p.email) ?? p.email.trim().toLowerCase().slice(0, 320);
  const subjects = [`email:${email}`, `client:${p.client}`];
  const now = Date.now();
  const counted = await stored(() => findFailures(db, subjects));
  if (!counted.ok) return counted;
  const byEmail = failuresInWindow(
    counted.value.find((r) => r.subject === subjects[0]),
    now,
  );
  const byClient = failuresInWindow(
    counted.value.find((r) => r.subject === subjects[1]),
    now,
  );
  if (byEmail >= MAX_FAILURES_PER_EMAIL || byClient >= MAX_FAILURES_PER_CLIENT) {
    const oldest = Math.min(
      ...counted.value.map((r) => Date.parse(r.windowStartedAt) + SIGN_IN_WINDOW_MS),
    );
    return fail("rate_limited", { retryAfterSec: Math.max(1, Math.ceil((oldest - now) / 1000)) });
  }
  const user = await stored(() => findUserByEmail(db, email));
  if (!user.ok) return user;
  const matches = await verifyPassword(p.password, user.value?.passwordHash ?? null);
  if (!user.value || !matches) {
    const counted = await stored(() =>
      recordFailure(db, subjects, isoNow(now), isoNow(now - SIGN_IN_WINDOW_MS)),
    );
    if (!counted.ok) return counted;
    return fail("unauthorized");
  }
  return startSession(db, user.value.id);
}

export type DashboardSession = {
  userId: string;
  email: string;
  account: AccountRow;
};

/** The live session of a cookie's token; an expired one is deleted and answers not found. */
export async function sessionOf(db: Db, token: string): Promise<Outcome<DashboardSession>> {
  const hash = await sha256Hex(token);
  const found = await stored(() => findSession(db, hash));
  if (!found.ok) return found;
  if (!found.value) return fail("unauthorized");
  const { session, user, account } = found.value;
  const now = Date.now();
  if (!sessionIsLive(session, now)) {
    const dropped = await stored(() => deleteSession(db, hash));
    if (!dropped.ok) return dropped;
    return fail("unauthorized");
  }
  if (sessionNeedsTouch(session.lastSeenAt, now)) {
    const touched = await stored(() => touchSession(db, hash, isoNow(now)));
    if (!touched.ok) return touched;
  }
  return ok({ userId: user.id, email: user.email, account });
}

export async function signOut(db: Db, token: string): Promise<Outcome<void>> {
  return stored(async () => deleteSession(db, await sha256Hex(token)));
}

export async function signOutEverywhere(db: Db, userId: string): Promise<Outcome<void>> {
  return stored(() => deleteUserSessions(db, userId));
}
