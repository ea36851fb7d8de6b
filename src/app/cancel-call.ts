/** cancelCall: hang up or withdraw a call that has not ended (REST and MCP). */
import { findCall, placedCallOf } from "../db/calls.queries";
import type { Db } from "../db/client";
import type { CallView } from "../domain/call-schemas";
import type { CallEngine } from "../ports";
import { fail, type Outcome, stored } from "./outcome";
import { getCall } from "./read-calls";

export async function cancelCall(
  deps: { db: Db; engine: CallEngine },
  p: { accountId: string; callId: string; baseUrl: string },
): Promise<Outcome<CallView>> {
  // Tenant scope first: another account's call is not found, not canceled.
  const row = await stored(() => findCall(deps.db, p.accountId, p.callId));
  if (!row.ok) return row;
  if (!row.value) return fail("not_found");
  const call = placedCallOf(row.value);
  const result = await stored(() => deps.engine.cancel(call));
  if (!result.ok) return result;
  if (result.value !== "canceled") return fail("call_already_ended");
  return getCall(deps.db, p.accountId, p.callId, p.baseUrl);
}
