/**
 * API-key authentication: `Authorization: Bearer bys_ak_...`. Only the key's SHA-256 is stored;
 * a revoked key fails on its next request because every request looks the hash up.
 */

import type { MiddlewareHandler } from "hono";
import { stored } from "../app/outcome";
import { findActiveKeyByHash, touchKey } from "../db/accounts.queries";
import { describeError } from "../db/client";
import { voicemailSettingOf } from "../domain/answering";
import { sha256Hex } from "../lib/crypto";
import { isoNow } from "../lib/time";
import { ApiError, orThrow } from "./api-error";
import type { AppEnv } from "./app-env";

const BEARER_KEY = /^Bearer\s+(bys_ak_[0-9A-Za-z]{32,128})\s*$/;
/** last_used_at is a hint for humans; writing it more than once a minute per key buys nothing. */
const TOUCH_INTERVAL_MS = 60_000;

export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const match = BEARER_KEY.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) throw new ApiError("unauthorized");
  const db = c.get("db");
  const hash = await sha256Hex(match[1]);
  const found = orThrow(await stored(() => findActiveKeyByHash(db, hash)));
  if (!found) throw new ApiError("unauthorized");
  const { key, account } = found;
  c.set("principal", {
    accountId: account.id,
    keyId: key.id,
    rateLimit: key.rateLimit,
    keyVoice: key.defaultVoice,
    keyCallerId: key.defaultCallerId,
    keyVoicemail: voicemailSettingOf(key.defaultVoicemail),
    minuteCap: account.minuteCap,
    periodAnchor: account.periodAnchor,
    maxCallsPerNumberPerDay: account.maxCallsPerNumberPerDay,
    displayName: account.displayName ?? null,
    callingPolicy: account.callingPolicy,
  });
  const now = Date.now();
  if (!key.lastUsedAt || Date.parse(key.lastUsedAt) + TOUCH_INTERVAL_MS < now) {
    c.executionCtx.waitUntil(
      touchKey(db, key.id, isoNow(now)).catch((e) =>
        console.warn("touch key failed", describeError(e)),
      ),
    );
  }
  await next();
};
