/**
 * placeCall: the one placement path used by REST and MCP. Validates, decides when to dial (now,
 * or a `schedule` moved into the calling window; src/domain/schedule.ts), checks the caller ID
 * against the account, the do-not-call list, the per-number frequency cap, the minute cap and
 * the key's rate limit, then records the call as
 * `queued`, holding its first minute against the cap unless it is scheduled (the minute cap and
 * the frequency cap are checked again in that same insert, so concurrent placements cannot
 * overrun them) — together with the idempotency record, in one D1 transaction.
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
import { principalName } from "../domain/disclosure";
import { FREQUENCY_WINDOW_MS, frequencyRetryAfterSec } from "../domain/do-not-call";
import { validatePlacement } from "../domain/placement";
import type { Principal } from "../domain/principal";
import { decideSchedule } from "../domain/schedule";
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
    keyVoicemail: who.keyVoicemail ?? null,
  });
  if (!valid.ok) return fail(valid.error);
  const call = valid.value;
  const now = deps.clock.now();
  const place = placeOf(call.to, call.region);
  const when = decideSchedule(
    body.schedule,
    (at) => checkCallingHours(who.callingPolicy, place, at),
    now,
  );
  if (!when.ok) {
    if (when.error === "invalid_schedule") return fail("invalid_schedule");
    return fail("outside_calling_window", { nextWindowAt: isoNow(when.nextWindowAt) });
  }
  const scheduledFor = when.at === null ? null : isoNow(when.at);

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
  // A scheduled call holds no minute now: the cap is checked (and its minute held) when it is due.
  const holdsNow = scheduledFor === null;
  if (
    holdsNow &&
    who.minuteCap !== null &&
    !admits(who.minuteCap, facts.usedMinutes, facts.reservedSec)
  ) {
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
    ...(scheduledFor ? { scheduledFor } : {}),
  };
  const cap = who.minuteCap === null || !holdsNow ? null : { capMinutes: who.minuteCap, since };
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
      voicemail: JSON.stringify(call.voicemail),
      maxHoldSec: call.maxHoldSec,
      transferTo: call.transferTo,
      transferWhen: call.transferWhen,
      status: "queued",
      createdAt,
      scheduledFor,
      onBehalfOf: body.onBehalfOf ?? null,
      // A scheduled call holds its first minute only once it is due (its dial-time recheck).
      reservedSec: holdsNow ? ADMISSION_HOLD_SEC : 0,
      questionsTimeoutSec: call.questionTimeoutSec,
      liveEvents: call.liveEvents.length > 0 ? JSON.stringify(call.liveEvents) : null,
    },
    cap,
    { max: who.maxCallsPerNumberPerDay, dayAgo: isoNow(now - FREQUENCY_WINDOW_MS) },
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
  // Concurrent placements took the minutes, or the number's daily calls, between our check above
  // and the insert: which one, the facts read again tell.
  if (!inserted.value) return refusedInRace(deps, who, call.to, callerId, since, now);
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
      scheduledFor,
      onBehalfOf: principalName(body.onBehalfOf, who.displayName),
      recorded: CALLS_ARE_RECORDED,
      voicemail: call.voicemail,
      maxHoldSec: call.maxHoldSec,
      transferTo: call.transferTo,
      transferWhen: call.transferWhen,
      questionTimeoutSec: call.questionTimeoutSec,
      liveEvents: call.liveEvents,
    });
  } catch (cause) {
    // The row exists but no engine runs it: record the failure so the call still ends.
    await stored(() => markCallFailed(db, callId, "placement_failed"));
    return fail("placement_failed", { cause });
  }
  return ok(response);
}

/**
 * Every call's audio is recorded (src/recording, wired in src/wiring.ts), so the agent always
 * says so; should recording become optional, this is where the placement decides it.
 */
const CALLS_ARE_RECORDED = true;

/** Why the insert refused a placement that passed the checks before it. */
async function refusedInRace(
  deps: PlaceCallDeps,
  who: Principal,
  to: string,
  callerId: string,
  since: string,
  now: number,
): Promise<Outcome<PlaceCallResponse>> {
  const known = await stored(() =>
    placementFacts(deps.db, {
      accountId: who.accountId,
      callerId,
      since,
      to,
      dayAgo: isoNow(now - FREQUENCY_WINDOW_MS),
    }),
  );
  if (!known.ok) return known;
  const capped = frequencyRetryAfterSec(
    known.value.recentToNumber,
    known.value.oldestRecentToNumber,
    who.maxCallsPerNumberPerDay,
    now,
  );
  if (capped !== undefined) return fail("destination_frequency_capped", { retryAfterSec: capped });
  return fail("over_minute_cap");
}
