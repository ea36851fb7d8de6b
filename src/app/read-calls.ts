/** getCall and listCalls: tenant-scoped reads shared by REST and MCP. */

import { type CallPosition, findCall, listCallRows } from "../db/calls.queries";
import { type Db, store } from "../db/client";
import { toCallView } from "../domain/call-record";
import type { CallSummaryView, CallView } from "../domain/call-schemas";
import type { CallStatus } from "../domain/call-status";
import { ApiError } from "../errors";

export async function getCall(
  db: Db,
  accountId: string,
  id: string,
  baseUrl: string,
): Promise<CallView> {
  const row = await store(() => findCall(db, accountId, id));
  if (!row) throw new ApiError("not_found");
  return toCallView(row, baseUrl);
}

export type ListCallsOptions = { limit: number; cursor?: string; statuses?: readonly CallStatus[] };

export async function listCalls(
  db: Db,
  accountId: string,
  opts: ListCallsOptions,
): Promise<{ calls: CallSummaryView[]; nextCursor: string | null }> {
  const after = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
  // One row more than asked tells whether another page exists.
  const rows = await store(() =>
    listCallRows(db, accountId, { limit: opts.limit + 1, after, statuses: opts.statuses }),
  );
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    calls: page,
    nextCursor: rows.length > opts.limit && last ? encodeCursor(last) : null,
  };
}

function encodeCursor(pos: CallPosition): string {
  return btoa(JSON.stringify([pos.createdAt, pos.id]))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string): CallPosition {
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
    // falls through to the error below
  }
  throw new ApiError("invalid_cursor");
}
