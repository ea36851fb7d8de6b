/** callStream: the call's live events (Server-Sent Events), tenant-scoped. */
import { findCall, placedCallOf } from "../db/calls.queries";
import type { Db } from "../db/client";
import { ok } from "../lib/result";
import type { CallEngine } from "../ports";
import { fail, type Outcome, stored } from "./outcome";

export async function callStream(
  deps: { db: Db; engine: CallEngine },
  p: { accountId: string; callId: string; lastEventId: string | null },
): Promise<Outcome<Response>> {
  const row = await stored(() => findCall(deps.db, p.accountId, p.callId));
  if (!row.ok) return row;
  if (!row.value) return fail("not_found");
  const call = placedCallOf(row.value);
  const res = await stored(() => deps.engine.stream(call, p.lastEventId));
  if (!res.ok) return res;
  return res.value ? ok(res.value) : fail("not_found");
}
