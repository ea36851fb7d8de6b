/** cancelCall: hang up or withdraw a call that has not ended (REST and MCP). */
import { cancelCall as cancelInEngine } from "../call-session/dispatch";
import { findCall } from "../db/calls.queries";
import { type Db, store } from "../db/client";
import { ApiError } from "../errors";
import { getCall } from "./read-calls";
import type { CallView } from "./schemas";

export async function cancelCall(
  env: Env,
  db: Db,
  p: { accountId: string; callId: string; baseUrl: string; publicBaseUrl: string },
): Promise<CallView> {
  // Tenant scope first: another account's call is not found, not canceled.
  const row = await store(() => findCall(db, p.accountId, p.callId));
  if (!row) throw new ApiError("not_found");
  const result = await cancelInEngine(env, row, p.publicBaseUrl);
  if (result !== "canceled") throw new ApiError("call_already_ended");
  return getCall(db, p.accountId, p.callId, p.baseUrl);
}
