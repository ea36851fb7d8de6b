/** Starting and cancelling calls: the only way the stateless Worker reaches a CallSession. */
import type { PlacedCall } from "../calls/place-call";
import { randomBase62 } from "../lib/crypto";
import type { CancelResult } from "./call-session.do";

function session(env: Env, callId: string) {
  return env.CALL_SESSION.get(env.CALL_SESSION.idFromName(callId));
}

export async function startCall(env: Env, call: PlacedCall, publicBaseUrl: string): Promise<void> {
  await session(env, call.callId).start({ ...call, publicBaseUrl, streamToken: randomBase62(32) });
}

export async function cancelCall(env: Env, callId: string): Promise<CancelResult> {
  return session(env, callId).cancel();
}
