/**
 * placeCall: the one placement path used by REST and MCP. Validates, checks the caller ID
 * against the account, the do-not-call list, the per-number frequency cap, the minute cap and
 * the key's rate limit, then records the call as
 * `queued`, holding its first minute against the cap (checked again in that same insert, so
 * concurrent placements cannot overrun the cap) — together with the idempotency record, in one
 * D1 transaction.
 */

import { insertCallWithinCapStatement, markCallFailed } from "../db/calls.queries";
import type { Db } from "../db/client";
import {
  claimKey,
  completeKeyStatement,
  dropExpiredKey,
  releaseKey,
} from "../db/idempotency.queries";
import { placementFacts } from "../db/placement.queries";
import { ADMISSION_HOLD_SEC, admits, periodStart } from "../domain/billing";
import type { PlacedCall } from "../domain/call-params";
import {
  type PlaceCallBody,
  type PlaceCallResponse,
  PlaceCallResponseSchema,
} from "../domain/call-schemas";
import { checkCallingHours, placeOf } from "../domain/calling-hours";
import { FREQUENCY_WINDOW_MS, frequencyRetryAfterSec } from "../domain/do-not-call";
import { validatePlacement } from "../domain/placement";
import type { Principal } from "../domain/principal";
import type { TakeResult } from "../domain/sliding-window";
import type { Config } from "../env";
import type { Clock } from "../lib/clock";
import { canonicalJson, sha256Hex } from "../lib/crypto";
import { map, ok } from "../lib/result";
import { isoNow } from "../lib/time";
import { fail, type Outcome, stored } from "./outcome";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type PlaceCallDeps = {
  db: Db;
  config: Config;
  takeRateSlot: (keyId: string, limit: number) => Promise<TakeResult>;
  /** Starts the call's lifecycle once its row exists (the call engine). */
  dispatch: (call: PlacedCall) => Promise<void>;
  /** The time placement reads (the frequency cap's window, the call's createdAt). */
  clock: Clock;
};

export type Placed = { response: PlaceCallResponse; replayed: boolean };

/** `body` is already validated against PlaceCallBodySchema (by the route or the MCP tool). */
export async function placeCall(
  deps: PlaceCallDeps,
  who: Principal,
  body: PlaceCallBody,
  idempotencyKey?: string,
): Promise<Outcome<Placed>> {
  const fresh = (response: PlaceCallResponse) => ({ response, replayed: false });
  if (idempotencyKey === undefined) return map(await placeOnce(deps, who, body), fresh);

  const fingerprint = await sha256Hex(canonicalJson(body));
  const replay = await claimIdempotencyKey(deps.db, who.accountId, idempotencyKey, fingerprint);
  if (!replay.ok) return replay;
  if (replay.value) return ok({ response: replay.value, replayed: true });
  const placed = await placeOnce(deps, who, body, idempotencyKey);
  if (!placed.ok) {
    // A failed request leaves no record behind, so the client may retry with the same key.
    const released = await stored(() => releaseKey(deps.db, who.accountId, idempotencyKey));
    if (!released.ok)
      console.error("idempotency key release failed", { cause: String(released.error.cause) });
  }
  return map(placed, fresh);
}

/** Claims the key, or returns the stored response of a completed request with the same body. */
async function claimIdempotencyKey(
  db: Db,
  accountId: string,
  key: string,
  fingerprint: string,
): Promise<Outcome<PlaceCallResponse | undefined>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const now = Date.now();
    const claimed = await stored(() =>
      claimKey(db, { accountId, key, fingerprint, createdAt: isoNow(now) }),
    );
    if (!claimed.ok) return claimed;
    const existing = claimed.value;
    if (!existing) return ok(undefined);
    if (Date.parse(existing.createdAt) + IDEMPOTENCY_TTL_MS <= now) {
      const dropped = await stored(() => dropExpiredKey(db, existing));
      if (!dropped.ok) return dropped;
      continue;
    }
    if (existing.state !== "complete" || !existing.responseBody) {
      return fail("idempotency_key_in_use");
    }
    if (existing.fingerprint !== fingerprint) return fail("idempotency_key_reused");
    return ok(PlaceCallResponseSchema.parse(JSON.parse(existing.responseBody)));
  }
  return fail("idempotency_key_in_use");
}

async function placeOnce(
  deps: PlaceCallDeps,
  who: Principal,
  body: PlaceCallBody,
  idempotencyKey?: string,
): Promise<Outcome<PlaceCallResponse>> {
  const { db, config } = deps;
  const valid = validatePlacement(body, {
    keyVoice: who.keyVoice,
    platformVoice: config.defaultVoice,
    voiceProvider: config.voiceProvider,
    allowLocalWebhooks: config.allowLocalWebhooks,
  });
  if (!valid.ok) return fail(valid.error);
  const call = valid.value;
  const hours = checkCallingHours(
    who.callingPolicy,
    placeOf(call.to, call.region),
    deps.clock.now(),
  );
  if (!hours.allowed) {
    return fail("outside_calling_window", { nextWindowAt: isoNow(hours.nextWindowAt) });
  }

  const now = deps.clock.now();
  const since = periodStart(who.periodAnchor, new Date(now)).toISOString();
  const known = await stored(() =>
    placementFacts(db, {
      accountId: who.accountId,
      callerId: call.callerId ?? who.keyCallerId,
      since,
      to: call.to,
      dayAgo: isoNow(now - FREQUENCY_WINDOW_MS),
    }),
  );
  if (!known.ok) return known;
  const facts = known.value;
  const callerId = facts.callerId;
  if (!callerId) return fail("caller_id_required");
  if (!facts.owned) return fail("caller_id_not_owned");
  if (facts.doNotCall) return fail("do_not_call");
  const capped = frequencyRetryAfterSec(
    facts.recentToNumber,
    facts.oldestRecentToNumber,
    who.maxCallsPerNumberPerDay,
    now,
  );
  if (capped !== undefined) return fail("destination_frequency_capped", { retryAfterSec: capped });
  // Refused here without using a rate slot; the insert below decides, atomically, under a burst.
  if (who.minuteCap !== null && !admits(who.minuteCap, facts.usedMinutes, facts.reservedSec)) {
    return fail("over_minute_cap");
  }
  const slot = await deps.takeRateSlot(who.keyId, who.rateLimit);
  if (!slot.ok) return fail("rate_limited", { retryAfterSec: slot.retryAfterSec });

  const callId = crypto.randomUUID();
  const createdAt = isoNow(deps.clock.now());
  const response: PlaceCallResponse = {
    callId,
    status: "queued",
    language: call.language,
    languageSource: call.languageSource,
    voice: call.voice,
  };
  const cap = who.minuteCap === null ? null : { capMinutes: who.minuteCap, since };
  const insert = insertCallWithinCapStatement(
    db,
    {
      id: callId,
      accountId: who.accountId,
      apiKeyId: who.keyId,
      to: call.to,
      callerId,
      objective: call.objective,
      context: call.context,
      fields: JSON.stringify(call.fields),
      webhookUrl: call.webhookUrl,
      voice: call.voice,
      language: call.language,
      languageSource: call.languageSource,
      status: "queued",
      createdAt,
      reservedSec: ADMISSION_HOLD_SEC,
      questionsTimeoutSec: call.questionTimeoutSec,
    },
    cap,
  );
  const inserted = await stored(async () => {
    if (idempotencyKey === undefined) return (await insert).length > 0;
    // Completes the key only if the row went in (see completeKeyStatement).
    const done = completeKeyStatement(db, who.accountId, idempotencyKey, {
      callId,
      status: 202,
      body: JSON.stringify(response),
    });
    const [rows] = await db.batch([insert, done]);
    return rows.length > 0;
  });
  if (!inserted.ok) return inserted;
  // Concurrent placements took the minutes between our check above and the insert.
  if (!inserted.value) return fail("over_minute_cap");
  try {
    await deps.dispatch({
      callId,
      accountId: who.accountId,
      to: call.to,
      from: callerId,
      objective: call.objective,
      context: call.context,
      fields: call.fields,
      voice: call.voice,
      language: call.language,
      languageSource: call.languageSource,
      webhookUrl: call.webhookUrl,
      createdAt,
      questionTimeoutSec: call.questionTimeoutSec,
    });
  } catch (cause) {
    // The row exists but no engine runs it: record the failure so the call still ends.
    await stored(() => markCallFailed(db, callId, "placement_failed"));
    return fail("placement_failed", { cause });
  }
  return ok(response);
}
