/** cancelCall: hang up or withdraw a call that has not ended (REST and MCP). */
import { cancelCall as cancelInEngine } from "../call-session/dispatch";
import type { Db } from "../db/client";
import { ApiError } from "../errors";
import { getCall } from "./read-calls";
import type { CallView } from "./schemas";

export async function cancelCall(
  env: Env,
  db: Db,
  accountId: string,
  id: string,
  baseUrl: string,
): Promise<CallView> {
  // Tenant scope first: another account's call is not found, not canceled.
  await getCall(db, accountId, id, baseUrl);
  const result = await cancelInEngine(env, id);
  if (result !== "canceled") throw new ApiError("call_already_ended");
  return getCall(db, accountId, id, baseUrl);
}
