/**
 * Starting and cancelling calls: the only way the stateless Worker reaches a CallSession.
 * Placement starts the session in the background after the 202; a call whose start was lost is
 * started again from its D1 row, by the sweeper or by a cancel, so no accepted call is stranded.
 */
import type { PlacedCall } from "../calls/place-call";
import type { FieldSpec } from "../calls/schemas";
import type { CallRow } from "../db/schema";
import { randomBase62 } from "../lib/crypto";
import type { CancelResult } from "./call-session.do";

function session(env: Env, callId: string) {
  return env.CALL_SESSION.get(env.CALL_SESSION.idFromName(callId));
}

export async function startCall(env: Env, call: PlacedCall, publicBaseUrl: string): Promise<void> {
  await session(env, call.callId).start({ ...call, publicBaseUrl, streamToken: randomBase62(32) });
}

export function placedCallOf(row: CallRow): PlacedCall {
  return {
    callId: row.id,
    accountId: row.accountId,
    to: row.to,
    from: row.callerId,
    objective: row.objective,
    context: row.context,
    fields: JSON.parse(row.fields) as FieldSpec[],
    voice: row.voice,
    language: row.language,
    languageSource: row.languageSource as PlacedCall["languageSource"],
    webhookUrl: row.webhookUrl,
    createdAt: row.createdAt,
  };
}

export async function cancelCall(
  env: Env,
  row: CallRow,
  publicBaseUrl: string,
): Promise<CancelResult> {
  const result = await session(env, row.id).cancel();
  if (result !== "unknown_call") return result;
  // Accepted but not started yet: start it, so that it ends through the engine like any other.
  await startCall(env, placedCallOf(row), publicBaseUrl);
  return session(env, row.id).cancel();
}
