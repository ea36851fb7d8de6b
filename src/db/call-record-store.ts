/**
 * The CallRecordStore port over D1 and the webhooks queue: the call's session mirrors its state
 * onto the call row and hands over its webhook events, and asks for the minutes an answered call
 * may use.
 */
import { ADMISSION_HOLD_SEC, periodStart } from "../domain/billing";
import type { CallParams } from "../domain/call-params";
import { FREQUENCY_WINDOW_MS, frequencyRetryAfterSec } from "../domain/do-not-call";
import type { DeliveryMessage } from "../domain/webhook-event";
import type { CallRecordStore } from "../ports";
import { findAccount } from "./accounts.queries";
import { reserveSeconds, writeCallProgressStatement } from "./calls.queries";
import { describeError, makeDb } from "./client";
import { placementFacts } from "./placement.queries";
import { doNotCall } from "./schema";
import { insertEventStatement } from "./webhooks.queries";

/** The person's own request: listed once, the first reason kept. */
function optOutStatement(db: ReturnType<typeof makeDb>, call: CallParams, reason: string) {
  return db
    .insert(doNotCall)
    .values({
      accountId: call.accountId,
      number: call.to,
      reason,
      source: "recipient_request",
      createdAt: new Date().toISOString(),
    })
    .onConflictDoNothing();
}

export function d1CallRecordStore(d1: D1Database, queue: Queue<DeliveryMessage>): CallRecordStore {
  const db = makeDb(d1);
  return {
    async sync(call, progress, events, optOut) {
      await db.batch([
        writeCallProgressStatement(db, call.callId, progress),
        ...(optOut ? [optOutStatement(db, call, optOut.reason)] : []),
        ...events.map((event) =>
          insertEventStatement(db, {
            event,
            accountId: call.accountId,
            status: call.webhookUrl ? "pending" : "no_endpoint",
          }),
        ),
      ]);
      if (!call.webhookUrl) return;
      for (const event of events) await queue.send({ eventId: event.id });
    },

    async grantCallMs(call, wantMs) {
      try {
        const account = await findAccount(db, call.accountId);
        if (!account || account.minuteCap === null) return wantMs;
        const granted = await reserveSeconds(db, {
          callId: call.callId,
          accountId: call.accountId,
          wantSec: Math.floor(wantMs / 1000),
          capMinutes: account.minuteCap,
          since: periodStart(account.periodAnchor, new Date()).toISOString(),
        });
        return granted * 1000;
      } catch (e) {
        // The cap is enforced again at the next placement; do not drop a live call over it.
        console.error("minute reservation failed", {
          callId: call.callId,
          error: describeError(e),
        });
        return wantMs;
      }
    },

    async recheckGuardrails(call, now) {
      const account = await findAccount(db, call.accountId);
      if (!account) return "caller_id_not_owned";
      const since = periodStart(account.periodAnchor, new Date(now)).toISOString();
      const facts = await placementFacts(db, {
        accountId: call.accountId,
        callerId: call.from,
        since,
        to: call.to,
        dayAgo: new Date(now - FREQUENCY_WINDOW_MS).toISOString(),
      });
      if (!facts.owned) return "caller_id_not_owned";
      if (facts.doNotCall) return "do_not_call";
      // The call itself is queued, so it is among the counted calls: the others are one fewer.
      const others = Math.max(0, facts.recentToNumber - 1);
      const capped = frequencyRetryAfterSec(
        others,
        facts.oldestRecentToNumber,
        account.maxCallsPerNumberPerDay,
        now,
      );
      if (capped !== undefined) return "destination_frequency_capped";
      if (account.minuteCap === null) return null;
      const held = await reserveSeconds(db, {
        callId: call.callId,
        accountId: call.accountId,
        wantSec: ADMISSION_HOLD_SEC,
        capMinutes: account.minuteCap,
        since,
      });
      return held < ADMISSION_HOLD_SEC ? "over_minute_cap" : null;
    },
  };
}
