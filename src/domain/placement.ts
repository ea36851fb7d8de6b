/**
 * Validation of a placement request beyond the body's shape, everything that can be decided
 * without I/O: destination guardrails, caller-ID format, webhook URL, voice and language. Pure.
 */

import { ok, type Result } from "../lib/result";
import type { FieldSpec, PlaceCallBody } from "./call-schemas";
import type { ErrorToken } from "./error-tokens";
import { checkDestination, normalizeCallerId } from "./guardrails";
import { type ResolvedLanguage, resolveLanguage } from "./language";
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
  /** Seconds a question to the requester waits; null: questions are off. */
  questionTimeoutSec: number | null;
} & ResolvedLanguage;

export type PlacementOptions = {
  keyVoice: string | null;
  platformVoice: string;
  voiceProvider: VoiceProvider;
  allowLocalWebhooks: boolean;
};

/** `req` has passed PlaceCallBodySchema; what is left are the checks beyond its shape. */
export function validatePlacement(
  req: PlaceCallBody,
  opts: PlacementOptions,
): Result<ValidPlacement, ErrorToken> {
  const destination = checkDestination(req.to);
  if (!destination.ok) return destination;

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
    questionTimeoutSec: req.questions?.enabled ? req.questions.timeoutSec : null,
    ...language.value,
  });
}
