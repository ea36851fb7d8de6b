/**
 * The CallEngine port over the CallSession Durable Objects: the only way the stateless Worker
 * starts or cancels a call. A call whose start was lost (the isolate died right after the 202) is
 * started from its D1 row, by the sweeper or by a cancel, so no accepted call is stranded.
 */

import { LIVE_STREAM_PATH } from "../call-session/live-stream";
import type { PlacedCall } from "../domain/call-params";
import { randomBase62 } from "../lib/crypto";
import type { CallEngine } from "../ports";

export function durableCallEngine(
  sessions: Env["CALL_SESSION"],
  publicBaseUrl: string,
): CallEngine {
  const session = (callId: string) => sessions.get(sessions.idFromName(callId));
  const start = (call: PlacedCall) =>
    session(call.callId).start({ ...call, publicBaseUrl, streamToken: randomBase62(32) });
  return {
    start,
    async wake(call) {
      // A dialing or live row with no session is not started again: that would ring someone anew.
      if ((await session(call.callId).wake()) === "unknown_call")
        console.warn("sweeper: no session for an overdue call", { callId: call.callId });
    },
    async answerQuestion(call, answer) {
      const result = await session(call.callId).answerQuestion(answer);
      return result === "unknown_call" ? "question_not_found" : result;
    },
    async stream(call, lastEventId) {
      const headers = lastEventId === null ? undefined : { "last-event-id": lastEventId };
      const url = `https://call-session${LIVE_STREAM_PATH}`;
      const res = await session(call.callId).fetch(new Request(url, { headers }));
      return res.ok ? res : undefined;
    },
    async cancel(call) {
      const result = await session(call.callId).cancel();
      if (result !== "unknown_call") return result;
      // Accepted but not started yet: start it, so that it ends through the engine like any other.
      await start(call);
      const again = await session(call.callId).cancel();
      return again === "unknown_call" ? "already_ended" : again;
    },
  };
}
