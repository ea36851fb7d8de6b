/**
 * What the dashboard's Developers page needs beyond the admin use cases, always within the
 * signed-in user's account: revoking one of its keys, removing one of its numbers (when no active
 * key uses it), and a Principal for placing a test call as the account.
 */
import { findKey } from "../db/accounts.queries";
import type { Db } from "../db/client";
import { deleteNumber, isNumberUsedByKey } from "../db/dashboard.queries";
import type { AccountRow } from "../db/schema";
import { normalizeCallerId } from "../domain/guardrails";
import type { Principal } from "../domain/principal";
import { ok } from "../lib/result";
import { revoke } from "./admin";
import { fail, type Outcome, stored } from "./outcome";

export async function revokeAccountKey(db: Db, accountId: string, keyId: string) {
  const key = await stored(() => findKey(db, keyId));
  if (!key.ok) return key;
  // Another account's key is not found, as another account's call is.
  if (!key.value || key.value.accountId !== accountId) return fail("not_found");
  return revoke(db, keyId);
}

/** Removes a number of the account, unless an active key has it as its default caller ID. */
export async function removeAccountNumber(
  db: Db,
  accountId: string,
  raw: string,
): Promise<Outcome<"removed" | "in_use">> {
  const number = normalizeCallerId(raw);
  if (!number.ok) return fail("invalid_number");
  const used = await stored(() => isNumberUsedByKey(db, accountId, number.value));
  if (!used.ok) return used;
  if (used.value) return ok("in_use");
  const removed = await stored(() => deleteNumber(db, accountId, number.value));
  if (!removed.ok) return removed;
  return removed.value ? ok("removed") : fail("not_found");
}

/**
 * The account as a caller of placeCall from the dashboard: the rate limit is counted per user
 * (the id stands in for a key's), and the account's default number and the platform voice apply.
 */
export function dashboardPrincipal(
  account: AccountRow,
  userId: string,
  rateLimit: number,
): Principal {
  return {
    accountId: account.id,
    keyId: userId,
    rateLimit,
    keyVoice: null,
    keyCallerId: null,
    minuteCap: account.minuteCap,
    periodAnchor: account.periodAnchor,
    maxCallsPerNumberPerDay: account.maxCallsPerNumberPerDay,
    callingPolicy: account.callingPolicy,
    displayName: account.displayName,
  };
}
