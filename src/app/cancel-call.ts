/** cancelCall: hang up or withdraw a call that has not ended (REST and MCP). */
import { findCall, placedCallOf } from "../db/calls.queries";
import { type Db, store } from "../db/client";
import type { CallView } from "../domain/call-schemas";
import { ApiError } from "../errors";
import type { CallEngine } from "../ports";
import { getCall } from "./read-calls";

export async function cancelCall(
  deps: { db: Db; engine: CallEngine },
  p: { accountId: string; callId: string; baseUrl: string },
): Promise<CallView> {
  // Tenant scope first: another account's call is not found, not canceled.
  const row = await store(() => findCall(deps.db, p.accountId, p.callId));
  if (!row) throw new ApiError("not_found");
  const result = await deps.engine.cancel(placedCallOf(row));
  if (result !== "canceled") throw new ApiError("call_already_ended");
  return getCall(deps.db, p.accountId, p.callId, p.baseUrl);
}
