/**
 * Validation of a placement request beyond the body's shape, everything that can be decided
 * without I/O: destination guardrails, caller-ID format, webhook URL, voice and language. Pure.
 */

import { err, ok, type Result } from "../lib/result";
import { DEFAULT_VOICEMAIL, type VoicemailSetting } from "./answering";
import type { FieldSpec, PlaceCallBody } from "./call-schemas";
import type { ErrorToken } from "./error-tokens";
import { checkDestination, normalizeCallerId } from "./guardrails";
import { type ResolvedLanguage, resolveLanguage } from "./language";
import type { LiveEventKind } from "./live-transcript";
import { DEFAULT_MAX_HOLD_SEC } from "./phone-tree";
import { checkWebhookUrl } from "./ssrf-guard";
import { resolveVoice, type VoiceProvider } from "./voices";

export type ValidPlacement = {
  to: string;
  region: string;
  objective: string;
  context: string | null;
  fields: FieldSpec[];
  webhookUrl: string | null;
  /** The request's caller ID, normalised; absent means "use the defaults". */
  callerId: string | null;
  voice: string;
  voicemail: VoicemailSetting;
  maxHoldSec: number;
  transferTo: string | null;
  transferWhen: string | null;
  /** Seconds a question to the requester waits; null: questions are off. */
  questionTimeoutSec: number | null;
  /** Live webhook events asked for (live-transcript.ts). */
  liveEvents: LiveEventKind[];
} & ResolvedLanguage;

export type PlacementOptions = {
  keyVoice: string | null;
  platformVoice: string;
  voiceProvider: VoiceProvider;
  allowLocalWebhooks: boolean;
  /** The key's default `voicemail`, for a request that names none. */
  keyVoicemail?: VoicemailSetting | null;
};

/** `req` has passed PlaceCallBodySchema; what is left are the checks beyond its shape. */
export function validatePlacement(
  req: PlaceCallBody,
  opts: PlacementOptions,
): Result<ValidPlacement, ErrorToken> {
  const destination = checkDestination(req.to);
  if (!destination.ok) return destination;

  // The person the call may be handed to passes the destination's guardrails, and is not it.
  let transferTo: string | null = null;
  if (req.transferTo != null) {
    const target = checkDestination(req.transferTo);
    if (!target.ok || target.value.e164 === destination.value.e164)
      return err("invalid_transfer_number");
    transferTo = target.value.e164;
  }

  let callerId: string | null = null;
  if (req.callerId != null) {
    const normalized = normalizeCallerId(req.callerId);
    if (!normalized.ok) return normalized;
    callerId = normalized.value;
  }

  let webhookUrl: string | null = null;
  if (req.webhookUrl != null) {
    const checked = checkWebhookUrl(req.webhookUrl, { allowLocal: opts.allowLocalWebhooks });
    if (!checked.ok) return checked;
    webhookUrl = checked.value;
  }

  const voice = resolveVoice(
    req.voice ?? undefined,
    opts.keyVoice,
    opts.platformVoice,
    opts.voiceProvider,
  );
  if (!voice.ok) return voice;

  const context = req.context ?? null;
  const language = resolveLanguage(
    req.language ?? undefined,
    req.objective,
    context ?? undefined,
    destination.value.region,
  );
  if (!language.ok) return language;

  return ok({
    to: destination.value.e164,
    region: destination.value.region,
    objective: req.objective,
    context,
    fields: req.fields ?? [],
    webhookUrl,
    callerId,
    voice: voice.value,
    voicemail: req.voicemail
      ? { action: req.voicemail.action, message: req.voicemail.message ?? null }
      : (opts.keyVoicemail ?? DEFAULT_VOICEMAIL),
    maxHoldSec: req.maxHoldSec ?? DEFAULT_MAX_HOLD_SEC,
    transferTo,
    transferWhen: transferTo ? (req.transferWhen ?? null) : null,
    questionTimeoutSec: req.questions?.enabled ? req.questions.timeoutSec : null,
    liveEvents: req.liveEvents ?? [],
    ...language.value,
  });
}
