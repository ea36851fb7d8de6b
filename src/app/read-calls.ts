/** getCall and listCalls: tenant-scoped reads shared by REST and MCP. */

import { findCall, listCallRows } from "../db/calls.queries";
import type { Db } from "../db/client";
import { toCallView } from "../domain/call-record";
import type { CallSummaryView, CallView } from "../domain/call-schemas";
import type { CallStatus } from "../domain/call-status";
import { ok } from "../lib/result";
import { fail, type Outcome, stored } from "./outcome";
import { decodeCursor, encodeCursor } from "./page-cursor";

export async function getCall(
  db: Db,
  accountId: string,
  id: string,
  baseUrl: string,
): Promise<Outcome<CallView>> {
  const row = await stored(() => findCall(db, accountId, id));
  if (!row.ok) return row;
  if (!row.value) return fail("not_found");
  return ok(toCallView(row.value, baseUrl));
}

export type ListCallsOptions = { limit: number; cursor?: string; statuses?: readonly CallStatus[] };

export async function listCalls(
  db: Db,
  accountId: string,
  opts: ListCallsOptions,
): Promise<Outcome<{ calls: CallSummaryView[]; nextCursor: string | null }>> {
  const pair = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
  if (pair === null) return fail("invalid_cursor");
  const after = pair && { createdAt: pair[0], id: pair[1] };
  // One row more than asked tells whether another page exists.
  const rows = await stored(() =>
    listCallRows(db, accountId, { limit: opts.limit + 1, after, statuses: opts.statuses }),
  );
  if (!rows.ok) return rows;
  const page = rows.value.slice(0, opts.limit);
  const last = page[page.length - 1];
  return ok({
    calls: page,
    nextCursor:
      rows.value.length > opts.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  });
}
