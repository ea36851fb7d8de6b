/**
 * The one record a CallSession keeps in its storage: the engine's state, validated with zod when
 * it is read back (after an eviction or a restart) instead of trusted with casts.
 */
import { z } from "zod";
import { AnsweringSchema, NO_ANSWERING } from "../domain/answering";
import type { SessionState } from "../domain/call-engine";
import { CallParamsSchema } from "../domain/call-params";
import { CALL_STATUSES } from "../domain/call-status";
import { NO_FEED } from "../domain/live-transcript";
import { NO_PHONE_TREE } from "../domain/phone-tree";
import { StoredQuestionSchema } from "../domain/questions";
import { SPEAKERS, TranscriptLineSchema } from "../domain/transcript";
import { TRANSFER_OUTCOMES } from "../domain/transfer";
import { WebhookEventSchema } from "../domain/webhook-event";

export const SESSION_KEY = "session";

const ms = z.number();
const nullableMs = ms.nullable();

const LimitsSchema = z.object({
  dialMs: ms,
  ringMs: ms,
  mediaConnectMs: ms,
  endGraceMs: ms,
});

const CallStateSchema = z.object({
  status: z.enum(CALL_STATUSES),
  providerCallId: z.string().nullable(),
  answeredAt: nullableMs,
  endedAt: nullableMs,
  durationSec: z.number().nullable(),
  answeredBy: z.string().nullable(),
  error: z.string().nullable(),
  mediaConnected: z.boolean(),
  mediaEnded: z.enum(["stopped", "lost"]).nullable(),
  maxDurationMs: nullableMs,
  deadline: z
    .object({
      at: ms,
      reason: z.enum([
        "dial_timeout",
        "ring_timeout",
        "media_timeout",
        "max_duration",
        "stream_ended",
        "media_lost",
      ]),
    })
    .nullable(),
  limits: LimitsSchema,
});

const ValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const EvidenceLineSchema = z.object({
  line: z.number(),
  speaker: z.enum(SPEAKERS),
  text: z.string(),
  offsetMs: z.number(),
});

const TransferRecordSchema = z.object({
  to: z.string(),
  atMs: ms,
  outcome: z.enum(TRANSFER_OUTCOMES).nullable(),
  durationSec: z.number().nullable(),
});

const OutputsSchema = z.object({
  latency: z
    .object({
      turns: z.number(),
      p50Ms: z.number(),
      p95Ms: z.number(),
      // Records stored before the first reply was measured lack it.
      firstReplyMs: z.number().nullable().default(null),
    })
    .nullable(),
  recordingKey: z.string().nullable(),
  recordingTruncated: z.boolean(),
  summary: z.string().nullable(),
  extracted: z.record(z.string(), ValueSchema).nullable(),
  extractedEvidence: z.record(z.string(), EvidenceLineSchema.nullable()).nullable(),
  analysisError: z.string().nullable(),
  holdSec: z.number().nullable().optional(),
  transfer: TransferRecordSchema.nullable().optional(),
});

const SessionStateSchema = z.object({
  params: CallParamsSchema,
  settings: z.object({
    limits: LimitsSchema,
    postCallBoundMs: ms,
    dialRetryBaseMs: ms,
    maxCallMs: ms,
  }),
  call: CallStateSchema,
  dial: z.object({ attempts: z.number(), dueAt: nullableMs }),
  seen: z.array(z.string()),
  lines: z.array(TranscriptLineSchema),
  outbox: z.array(WebhookEventSchema),
  events: z.number(),
  sync: z.object({ behind: z.boolean(), retryAt: nullableMs }),
  lastMediaAt: nullableMs,
  interrupted: z.boolean(),
  voicePrepared: z.boolean().default(false),
  recording: z
    .object({
      uploadId: z.string(),
      parts: z.array(z.object({ partNumber: z.number(), etag: z.string() })),
    })
    .nullable(),
  post: z.object({ began: z.boolean(), deadline: ms }).nullable(),
  finalized: z.boolean(),
  outputs: OutputsSchema,
  answering: AnsweringSchema.default(NO_ANSWERING),
  // Records from before the phone tree (issue 15) have none of it.
  phoneTree: z
    .object({
      lastDigits: z.string().nullable(),
      repeats: z.number(),
      holdSince: nullableMs,
      holdMs: ms,
    })
    .default(NO_PHONE_TREE),
  transfer: TransferRecordSchema.extend({ whisper: z.string(), timeLimitSec: z.number() })
    .nullable()
    .default(null),
  questions: z.array(StoredQuestionSchema).default([]),
  optOut: z.object({ reason: z.string() }).nullable().default(null),
  liveLog: z
    .array(z.object({ seq: z.number(), type: z.string(), data: z.record(z.string(), z.unknown()) }))
    .default([]),
  transcriptFeed: z
    .object({
      numbered: z.number(),
      waiting: z.array(TranscriptLineSchema.extend({ sequence: z.number() })),
      lastSentAt: nullableMs,
      closed: z.boolean(),
    })
    .default(NO_FEED),
});

/** The stored record, or undefined when there is none (or it is not one this version can read). */
export function readSessionRecord(stored: unknown): SessionState | undefined {
  if (stored === undefined) return undefined;
  const parsed = SessionStateSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  console.error("unreadable call session record", { issues: parsed.error.issues.length });
  return undefined;
}
