/**
 * Operator actions over accounts, numbers and keys (used by the /admin routes and the CLI).
 */

import {
  findAccount,
  findAccountsByName,
  findKey,
  insertAccount,
  insertKey,
  isNumberOnAccount,
  listKeys,
  listNumbers,
  revokeKey,
  setWebhookSecrets,
  updateAccount,
  updateKey,
  upsertNumber,
} from "../db/accounts.queries";
import { answeredMinutesSince } from "../db/calls.queries";
import type { Db } from "../db/client";
import type { AccountRow, ApiKeyRow } from "../db/schema";
import { type VoicemailSetting, voicemailSettingOf } from "../domain/answering";
import { periodStart } from "../domain/billing";
import type { CallingPolicy } from "../domain/calling-hours";
import { DEFAULT_MAX_CALLS_PER_NUMBER_PER_DAY } from "../domain/do-not-call";
import { normalizeCallerId } from "../domain/guardrails";
import { canonicalVoice, type VoiceProvider } from "../domain/voices";
import { newId } from "../lib/crypto";
import { ok } from "../lib/result";
import { isoNow } from "../lib/time";
import { mintApiKey, mintWebhookSecret } from "./credentials";
import { fail, type Outcome, stored } from "./outcome";

export type KeyOptions = {
  name?: string | null;
  voice?: string | null;
  callerId?: string | null;
  rateLimit?: number;
  /** Validated by the route (VoicemailRequestSchema); null removes the default. */
  voicemail?: { action: VoicemailSetting["action"]; message?: string | null | undefined } | null;
};

function keyView(k: ApiKeyRow) {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    voice: k.defaultVoice,
    callerId: k.defaultCallerId,
    voicemail: voicemailSettingOf(k.defaultVoicemail),
    rateLimit: k.rateLimit,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
  };
}

type KeyView = ReturnType<typeof keyView>;

export async function createAccount(
  db: Db,
  name: string,
  minuteCap: number | null,
  callingPolicy: CallingPolicy = "standard",
) {
  const now = isoNow();
  const account: AccountRow = {
    id: newId("acct"),
    name,
    minuteCap,
    periodAnchor: now,
    webhookSecret: mintWebhookSecret(),
    previousWebhookSecret: null,
    previousSecretExpiresAt: null,
    createdAt: now,
    maxCallsPerNumberPerDay: DEFAULT_MAX_CALLS_PER_NUMBER_PER_DAY,
    callingPolicy,
    displayName: null,
  };
  const inserted = await stored(() => insertAccount(db, account));
  if (!inserted.ok) return inserted;
  return ok({
    id: account.id,
    name,
    minuteCap,
    maxCallsPerNumberPerDay: account.maxCallsPerNumberPerDay,
    callingPolicy,
    webhookSecret: account.webhookSecret,
    createdAt: now,
  });
}

export async function accountDetail(db: Db, id: string) {
  const found = await stored(() => findAccount(db, id));
  if (!found.ok) return found;
  const account = found.value;
  if (!account) return fail("not_found");
  const start = periodStart(account.periodAnchor, new Date()).toISOString();
  const parts = await stored(() =>
    Promise.all([listNumbers(db, id), listKeys(db, id), answeredMinutesSince(db, id, start)]),
  );
  if (!parts.ok) return parts;
  const [numbers, keys, used] = parts.value;
  return ok({
    id: account.id,
    name: account.name,
    minuteCap: account.minuteCap,
    maxCallsPerNumberPerDay: account.maxCallsPerNumberPerDay,
    callingPolicy: account.callingPolicy,
    displayName: account.displayName,
    minutesUsedThisPeriod: used,
    periodStart: start,
    webhookSecret: account.webhookSecret,
    previousWebhookSecretExpiresAt: account.previousWebhookSecret
      ? account.previousSecretExpiresAt
      : null,
    createdAt: account.createdAt,
    numbers: numbers.map((n) => ({ number: n.number, default: n.isDefault })),
    keys: keys.map(keyView),
  });
}

export async function accountsNamed(db: Db, name: string) {
  const rows = await stored(() => findAccountsByName(db, name));
  if (!rows.ok) return rows;
  return ok(
    rows.value.map((a) => ({
      id: a.id,
      name: a.name,
      minuteCap: a.minuteCap,
      maxCallsPerNumberPerDay: a.maxCallsPerNumberPerDay,
      callingPolicy: a.callingPolicy,
      createdAt: a.createdAt,
    })),
  );
}

export type AccountSettings = {
  minuteCap?: number | null;
  maxCallsPerNumberPerDay?: number;
  callingPolicy?: CallingPolicy;
  displayName?: string | null;
};

/** Changes the settings given; the others keep their values. */
export async function updateAccountSettings(db: Db, id: string, settings: AccountSettings) {
  const updated = await stored(() => updateAccount(db, id, settings));
  if (!updated.ok) return updated;
  if (!updated.value) return fail("not_found");
  return accountDetail(db, id);
}

export async function addNumber(db: Db, accountId: string, raw: string, makeDefault: boolean) {
  const number = normalizeCallerId(raw);
  if (!number.ok) return fail("invalid_number");
  const account = await stored(() => findAccount(db, accountId));
  if (!account.ok) return account;
  if (!account.value) return fail("not_found");
  const added = await stored(() =>
    upsertNumber(
      db,
      { id: newId("num"), accountId, number: number.value, createdAt: isoNow() },
      makeDefault,
    ),
  );
  if (!added.ok) return added;
  return accountDetail(db, accountId);
}

type KeyDefaults = {
  defaultVoice?: string | null;
  defaultCallerId?: string | null;
  defaultVoicemail?: string | null;
};

async function checkKeyDefaults(
  db: Db,
  accountId: string,
  opts: KeyOptions,
  provider: VoiceProvider,
): Promise<Outcome<KeyDefaults>> {
  const patch: KeyDefaults = {};
  if (opts.voice !== undefined) {
    if (opts.voice === null) patch.defaultVoice = null;
    else {
      const voice = canonicalVoice(opts.voice, provider);
      if (!voice) return fail("invalid_voice");
      patch.defaultVoice = voice;
    }
  }
  if (opts.voicemail !== undefined)
    patch.defaultVoicemail =
      opts.voicemail === null
        ? null
        : JSON.stringify({
            action: opts.voicemail.action,
            message: opts.voicemail.message ?? null,
          } satisfies VoicemailSetting);
  if (opts.callerId !== undefined) {
    if (opts.callerId === null) patch.defaultCallerId = null;
    else {
      const number = normalizeCallerId(opts.callerId);
      if (!number.ok) return fail("invalid_caller_id");
      const owned = await stored(() => isNumberOnAccount(db, accountId, number.value));
      if (!owned.ok) return owned;
      if (!owned.value) return fail("caller_id_not_owned");
      patch.defaultCallerId = number.value;
    }
  }
  return ok(patch);
}

export async function createKey(
  db: Db,
  accountId: string,
  opts: KeyOptions,
  defaults: { rateLimit: number; voiceProvider: VoiceProvider },
): Promise<Outcome<KeyView & { key: string }>> {
  const account = await stored(() => findAccount(db, accountId));
  if (!account.ok) return account;
  if (!account.value) return fail("not_found");
  const patch = await checkKeyDefaults(db, accountId, opts, defaults.voiceProvider);
  if (!patch.ok) return patch;
  const minted = await mintApiKey();
  const row: ApiKeyRow = {
    id: newId("key"),
    accountId,
    prefix: minted.prefix,
    hash: minted.hash,
    name: opts.name ?? null,
    defaultVoice: patch.value.defaultVoice ?? null,
    defaultCallerId: patch.value.defaultCallerId ?? null,
    defaultVoicemail: patch.value.defaultVoicemail ?? null,
    rateLimit: opts.rateLimit ?? defaults.rateLimit,
    createdAt: isoNow(),
    revokedAt: null,
    lastUsedAt: null,
  };
  const inserted = await stored(() => insertKey(db, row));
  if (!inserted.ok) return inserted;
  return ok({ ...keyView(row), key: minted.key });
}

export async function changeKey(
  db: Db,
  id: string,
  opts: KeyOptions,
  provider: VoiceProvider,
): Promise<Outcome<KeyView>> {
  const found = await stored(() => findKey(db, id));
  if (!found.ok) return found;
  const existing = found.value;
  if (!existing) return fail("not_found");
  const patch = await checkKeyDefaults(db, existing.accountId, opts, provider);
  if (!patch.ok) return patch;
  const set = {
    ...patch.value,
    ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
  };
  if (Object.keys(set).length === 0) return ok(keyView(existing));
  const updated = await stored(() => updateKey(db, id, set));
  if (!updated.ok) return updated;
  if (!updated.value) return fail("not_found");
  return ok(keyView(updated.value));
}

export async function revoke(db: Db, id: string): Promise<Outcome<KeyView>> {
  const row = await stored(() => revokeKey(db, id, isoNow()));
  if (!row.ok) return row;
  if (!row.value) return fail("not_found");
  return ok(keyView(row.value));
}

/** A rotated-out secret keeps signing (next to the new one) this long, so receivers can switch. */
const SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

export async function rotateWebhookSecret(db: Db, id: string) {
  const found = await stored(() => findAccount(db, id));
  if (!found.ok) return found;
  const account = found.value;
  if (!account) return fail("not_found");
  const expiresAt = isoNow(Date.now() + SECRET_GRACE_MS);
  const webhookSecret = mintWebhookSecret();
  const saved = await stored(() =>
    setWebhookSecrets(db, id, {
      webhookSecret,
      previousWebhookSecret: account.webhookSecret,
      previousSecretExpiresAt: expiresAt,
    }),
  );
  if (!saved.ok) return saved;
  return ok({ id, webhookSecret, previousWebhookSecretExpiresAt: expiresAt });
}
