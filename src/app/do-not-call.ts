/**
 * The per-account do-not-call list: list, add (idempotent), remove. Shared by the agent API
 * (`source: api`) and the admin API (`source: admin` or `recipient_request`); tenant-scoped by
 * the account id the caller passes.
 */
import { findAccount } from "../db/accounts.queries";
import type { Db } from "../db/client";
import { addDncEntry, listDncRows, removeDncEntry } from "../db/dnc.queries";
import type { DncEntry, DncSource } from "../domain/do-not-call";
import { normalizeCallerId } from "../domain/guardrails";
import { ok } from "../lib/result";
import { isoNow } from "../lib/time";
import { fail, type Outcome, stored } from "./outcome";
import { decodeCursor, encodeCursor } from "./page-cursor";

export type DncPage = { entries: DncEntry[]; nextCursor: string | null };

export async function listDoNotCall(
  db: Db,
  accountId: string,
  opts: { limit: number; cursor?: string },
): Promise<Outcome<DncPage>> {
  const pair = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
  if (pair === null) return fail("invalid_cursor");
  const after = pair && { createdAt: pair[0], number: pair[1] };
  // One row more than asked tells whether another page exists.
  const rows = await stored(() => listDncRows(db, accountId, { limit: opts.limit + 1, after }));
  if (!rows.ok) return rows;
  const page = rows.value.slice(0, opts.limit);
  const last = page[page.length - 1];
  return ok({
    entries: page,
    nextCursor:
      rows.value.length > opts.limit && last ? encodeCursor([last.createdAt, last.number]) : null,
  });
}

/** Adds the number; `created` is false when it was listed already (the stored entry answers). */
export async function addDoNotCall(
  db: Db,
  accountId: string,
  input: { number: string; reason?: string | null; source: DncSource },
): Promise<Outcome<{ entry: DncEntry; created: boolean }>> {
  const number = normalizeCallerId(input.number);
  if (!number.ok) return fail("invalid_number");
  return stored(() =>
    addDncEntry(db, {
      accountId,
      number: number.value,
      reason: input.reason ?? null,
      source: input.source,
      createdAt: isoNow(),
    }),
  );
}

export async function removeDoNotCall(
  db: Db,
  accountId: string,
  raw: string,
): Promise<Outcome<void>> {
  const number = normalizeCallerId(raw);
  if (!number.ok) return fail("invalid_number");
  const removed = await stored(() => removeDncEntry(db, accountId, number.value));
  if (!removed.ok) return removed;
  return removed.value ? ok(undefined) : fail("not_found");
}

/** For the admin API: the same operations, on an account that must exist. */
export async function ifAccountExists<T>(
  db: Db,
  accountId: string,
  op: () => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  const account = await stored(() => findAccount(db, accountId));
  if (!account.ok) return account;
  if (!account.value) return fail("not_found");
  return op();
}
