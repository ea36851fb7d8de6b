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
  updateAccountCap,
  updateKey,
  upsertNumber,
} from "../db/accounts.queries";
import { answeredMinutesSince } from "../db/calls.queries";
import { type Db, store } from "../db/client";
import type { AccountRow, ApiKeyRow } from "../db/schema";
import { periodStart } from "../domain/billing";
import { normalizeCallerId } from "../domain/guardrails";
import { canonicalVoice, type VoiceProvider } from "../domain/voices";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";
import { isoNow } from "../lib/time";
import { mintApiKey, mintWebhookSecret } from "./credentials";

export type KeyOptions = {
  name?: string | null;
  voice?: string | null;
  callerId?: string | null;
  rateLimit?: number;
};

function keyView(k: ApiKeyRow) {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    voice: k.defaultVoice,
    callerId: k.defaultCallerId,
    rateLimit: k.rateLimit,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
  };
}

export async function createAccount(db: Db, name: string, minuteCap: number | null) {
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
  };
  await store(() => insertAccount(db, account));
  return { id: account.id, name, minuteCap, webhookSecret: account.webhookSecret, createdAt: now };
}

export async function accountDetail(db: Db, id: string) {
  const account = await store(() => findAccount(db, id));
  if (!account) throw new ApiError("not_found");
  const start = periodStart(account.periodAnchor, new Date()).toISOString();
  const [numbers, keys, used] = await store(() =>
    Promise.all([listNumbers(db, id), listKeys(db, id), answeredMinutesSince(db, id, start)]),
  );
  return {
    id: account.id,
    name: account.name,
    minuteCap: account.minuteCap,
    minutesUsedThisPeriod: used,
    periodStart: start,
    webhookSecret: account.webhookSecret,
    previousWebhookSecretExpiresAt: account.previousWebhookSecret
      ? account.previousSecretExpiresAt
      : null,
    createdAt: account.createdAt,
    numbers: numbers.map((n) => ({ number: n.number, default: n.isDefault })),
    keys: keys.map(keyView),
  };
}

export async function accountsNamed(db: Db, name: string) {
  const rows = await store(() => findAccountsByName(db, name));
  return rows.map((a) => ({
    id: a.id,
    name: a.name,
    minuteCap: a.minuteCap,
    createdAt: a.createdAt,
  }));
}

export async function setMinuteCap(db: Db, id: string, minuteCap: number | null) {
  if (!(await store(() => updateAccountCap(db, id, minuteCap)))) throw new ApiError("not_found");
  return accountDetail(db, id);
}

export async function addNumber(db: Db, accountId: string, raw: string, makeDefault: boolean) {
  const number = normalizeCallerId(raw);
  if (!number.ok) throw new ApiError("invalid_number");
  if (!(await store(() => findAccount(db, accountId)))) throw new ApiError("not_found");
  await store(() =>
    upsertNumber(
      db,
      { id: newId("num"), accountId, number: number.value, createdAt: isoNow() },
      makeDefault,
    ),
  );
  return accountDetail(db, accountId);
}

async function checkKeyDefaults(
  db: Db,
  accountId: string,
  opts: KeyOptions,
  provider: VoiceProvider,
) {
  const patch: { defaultVoice?: string | null; defaultCallerId?: string | null } = {};
  if (opts.voice !== undefined) {
    if (opts.voice === null) patch.defaultVoice = null;
    else {
      const voice = canonicalVoice(opts.voice, provider);
      if (!voice) throw new ApiError("invalid_voice");
      patch.defaultVoice = voice;
    }
  }
  if (opts.callerId !== undefined) {
    if (opts.callerId === null) patch.defaultCallerId = null;
    else {
      const number = normalizeCallerId(opts.callerId);
      if (!number.ok) throw new ApiError("invalid_caller_id");
      if (!(await store(() => isNumberOnAccount(db, accountId, number.value)))) {
        throw new ApiError("caller_id_not_owned");
      }
      patch.defaultCallerId = number.value;
    }
  }
  return patch;
}

export async function createKey(
  db: Db,
  accountId: string,
  opts: KeyOptions,
  defaults: { rateLimit: number; voiceProvider: VoiceProvider },
) {
  if (!(await store(() => findAccount(db, accountId)))) throw new ApiError("not_found");
  const patch = await checkKeyDefaults(db, accountId, opts, defaults.voiceProvider);
  const minted = await mintApiKey();
  const row: ApiKeyRow = {
    id: newId("key"),
    accountId,
    prefix: minted.prefix,
    hash: minted.hash,
    name: opts.name ?? null,
    defaultVoice: patch.defaultVoice ?? null,
    defaultCallerId: patch.defaultCallerId ?? null,
    rateLimit: opts.rateLimit ?? defaults.rateLimit,
    createdAt: isoNow(),
    revokedAt: null,
    lastUsedAt: null,
  };
  await store(() => insertKey(db, row));
  return { ...keyView(row), key: minted.key };
}

export async function changeKey(db: Db, id: string, opts: KeyOptions, provider: VoiceProvider) {
  const existing = await store(() => findKey(db, id));
  if (!existing) throw new ApiError("not_found");
  const patch = await checkKeyDefaults(db, existing.accountId, opts, provider);
  const set = {
    ...patch,
    ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
  };
  if (Object.keys(set).length === 0) return keyView(existing);
  const updated = await store(() => updateKey(db, id, set));
  if (!updated) throw new ApiError("not_found");
  return keyView(updated);
}

export async function revoke(db: Db, id: string) {
  const row = await store(() => revokeKey(db, id, isoNow()));
  if (!row) throw new ApiError("not_found");
  return keyView(row);
}

/** A rotated-out secret keeps signing (next to the new one) this long, so receivers can switch. */
const SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

export async function rotateWebhookSecret(db: Db, id: string) {
  const account = await store(() => findAccount(db, id));
  if (!account) throw new ApiError("not_found");
  const expiresAt = isoNow(Date.now() + SECRET_GRACE_MS);
  const webhookSecret = mintWebhookSecret();
  await store(() =>
    setWebhookSecrets(db, id, {
      webhookSecret,
      previousWebhookSecret: account.webhookSecret,
      previousSecretExpiresAt: expiresAt,
    }),
  );
  return { id, webhookSecret, previousWebhookSecretExpiresAt: expiresAt };
}
