/** getCall and listCalls: tenant-scoped reads shared by REST and MCP. */

import { type CallPosition, findCall, listCallRows } from "../db/calls.queries";
import type { Db } from "../db/client";
import { toCallView } from "../domain/call-record";
import type { CallSummaryView, CallView } from "../domain/call-schemas";
import type { CallStatus } from "../domain/call-status";
import { ok } from "../lib/result";
import { fail, type Outcome, stored } from "./outcome";

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
  const after = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
  if (after === null) return fail("invalid_cursor");
  // One row more than asked tells whether another page exists.
  const rows = await stored(() =>
    listCallRows(db, accountId, { limit: opts.limit + 1, after, statuses: opts.statuses }),
  );
  if (!rows.ok) return rows;
  const page = rows.value.slice(0, opts.limit);
  const last = page[page.length - 1];
  return ok({
    calls: page,
    nextCursor: rows.value.length > opts.limit && last ? encodeCursor(last) : null,
  });
}

function encodeCursor(pos: CallPosition): string {
  return btoa(JSON.stringify([pos.createdAt, pos.id]))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The position a cursor names, or null when it is not one of ours. */
function decodeCursor(cursor: string): CallPosition | null {
  try {
    const json = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const value: unknown = JSON.parse(json);
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string"
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // not one of ours
  }
  return null;
}
