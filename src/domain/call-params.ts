/**
 * What a call's session is given at placement: everything it needs without reading D1. Validated
 * with zod when the session reads it back from storage.
 */
import { z } from "zod";
import { VoicemailSettingSchema } from "./answering";
import { LIVE_EVENT_KINDS } from "./live-transcript";
import { DEFAULT_MAX_HOLD_SEC } from "./phone-tree";

export const FieldSpecSchema = z.object({
  name: z.string(),
  type: z.enum(["string", "boolean", "number"]),
  description: z.string().nullish(),
});

export const LANGUAGE_SOURCES = ["explicit", "inferred", "auto"] as const;
export type LanguageSource = (typeof LANGUAGE_SOURCES)[number];

/** A recorded call, handed to its session. */
const PlacedCallSchema = z.object({
  callId: z.string(),
  accountId: z.string(),
  to: z.string(),
  from: z.string(),
  objective: z.string(),
  context: z.string().nullable(),
  fields: z.array(FieldSpecSchema),
  voice: z.string(),
  language: z.string(),
  languageSource: z.enum(LANGUAGE_SOURCES),
  webhookUrl: z.string().nullable(),
  createdAt: z.string(),
  /** A scheduled call: when its alarm dials it (ISO 8601); absent or null: at once. */
  scheduledFor: z.string().nullish(),
  /** The name the agent discloses it calls for (request, account, or the neutral fallback). */
  onBehalfOf: z.string().optional(),
  /** The call's audio is recorded (the agent says so in its first sentence). */
  recorded: z.boolean().optional(),
  /** What to do on reaching voicemail; absent: hang up (voicemailOf in domain/answering.ts). */
  voicemail: VoicemailSettingSchema.optional(),
  /** Longest wait on hold (phone-tree.ts); records from before it default. */
  maxHoldSec: z.number().int().positive().default(DEFAULT_MAX_HOLD_SEC),
  /** Where the agent may hand the call over to a person, and when (null: no transfer). */
  transferTo: z.string().nullable().default(null),
  transferWhen: z.string().nullable().default(null),
  /** Seconds a question to the requester waits (questions.ts); absent/null: questions are off. */
  questionTimeoutSec: z.number().nullish(),
  /** Live webhook events asked for (live-transcript.ts); records from before them have none. */
  liveEvents: z.array(z.enum(LIVE_EVENT_KINDS)).optional(),
});
export type PlacedCall = z.infer<typeof PlacedCallSchema>;

export const CallParamsSchema = PlacedCallSchema.extend({
  /** Where the carrier reaches this deployment (callbacks, media stream). */
  publicBaseUrl: z.string(),
  /** Per-call secret the media stream must present in its start frame. */
  streamToken: z.string(),
});
export type CallParams = z.infer<typeof CallParamsSchema>;
