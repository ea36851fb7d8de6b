/**
 * Webhook events: one per status transition (`call.dialing`, `call.in_progress`, then one per
 * terminal status), each with a stable id that is the `webhook-id` of every delivery attempt.
 * The body is fixed when the event is created and sent byte-for-byte on every attempt.
 */
import { z } from "zod";
import { CallSchema, type CallView } from "./call-schemas";
import type { CallStatus } from "./call-status";
import type { SequencedLine } from "./live-transcript";
import { PendingQuestionSchema } from "./questions";
import { SPEAKERS } from "./transcript";

/** Events that are not a status change: a question to the requester, an opt-out. */
export const NOTICE_TYPES = ["call.question", "call.opt_out"] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

/** Finished utterances, for a call placed with `liveEvents: ["transcript"]` (live-transcript.ts). */
export const TRANSCRIPT_EVENT_TYPE = "call.transcript";

export type WebhookEventType =
  | `call.${Exclude<CallStatus, "queued">}`
  | NoticeType
  | typeof TRANSCRIPT_EVENT_TYPE;

export const WEBHOOK_EVENT_TYPES = [
  "call.dialing",
  "call.in_progress",
  "call.completed",
  "call.no_answer",
  "call.voicemail",
  "call.declined",
  "call.failed",
  ...NOTICE_TYPES,
  TRANSCRIPT_EVENT_TYPE,
] as const satisfies readonly WebhookEventType[];

/** An event's delivery state: pending → delivered | failed; no_endpoint when the call has no webhookUrl. */
export const WEBHOOK_EVENT_STATUSES = ["pending", "delivered", "failed", "no_endpoint"] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

export type WebhookEvent = {
  id: string;
  type: WebhookEventType;
  /** ISO 8601 UTC: when the transition happened. */
  timestamp: string;
  callId: string;
  /**
   * Notices add what they are about (`question`, `optOut`) beside the call; a transcript event
   * carries its lines only (the record would repeat the whole transcript every second).
   */
  data: { call?: CallView; lines?: SequencedLine[] } & Record<string, unknown>;
};

function eventType(status: Exclude<CallStatus, "queued">): WebhookEventType {
  return `call.${status}`;
}

export function buildEvent(
  id: string,
  status: Exclude<CallStatus, "queued">,
  at: number,
  call: CallView,
): WebhookEvent {
  return {
    id,
    type: eventType(status),
    timestamp: new Date(at).toISOString(),
    callId: call.id,
    data: { call },
  };
}

export function buildNoticeEvent(
  id: string,
  type: NoticeType,
  at: number,
  call: CallView,
  extra: Record<string, unknown>,
): WebhookEvent {
  return {
    id,
    type,
    timestamp: new Date(at).toISOString(),
    callId: call.id,
    data: { ...extra, call },
  };
}

export function buildTranscriptEvent(
  id: string,
  at: number,
  callId: string,
  lines: SequencedLine[],
): WebhookEvent {
  return {
    id,
    type: TRANSCRIPT_EVENT_TYPE,
    timestamp: new Date(at).toISOString(),
    callId,
    data: { lines },
  };
}

/** The call record an event carries (null for a transcript event). */
export function callOfEvent(event: WebhookEvent): CallView | null {
  return event.data.call ?? null;
}

/** What the webhooks queue carries: a pointer to the stored event. */
export type DeliveryMessage = { eventId: string };

/** The webhook body, for the OpenAPI document. */
export const WebhookEventSchema = z.object({
  id: z.string().describe("Stable event id; also the webhook-id header on every attempt."),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  timestamp: z.iso.datetime().describe("When the transition happened."),
  callId: z.uuid(),
  data: z.object({
    call: CallSchema.optional().describe(
      "The call record at the event (every event but call.transcript); the terminal event's is the full record.",
    ),
    question: PendingQuestionSchema.optional().describe("call.question: the question asked."),
    optOut: z
      .object({ number: z.string(), reason: z.string() })
      .optional()
      .describe("call.opt_out: the number added to the do-not-call list, and the person's words."),
    lines: z
      .array(
        z.object({
          sequence: z
            .number()
            .int()
            .min(1)
            .describe("Per call, from 1, in the order the lines finished."),
          speaker: z.enum(SPEAKERS),
          text: z.string(),
          offsetMs: z.number().int().min(0).describe("Milliseconds since the call was answered."),
        }),
      )
      .optional()
      .describe(
        "call.transcript: the utterances finished since the previous transcript event (at most one event a second).",
      ),
  }),
});

export const EventLogSchema = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      createdAt: z.iso.datetime(),
      status: z.enum(WEBHOOK_EVENT_STATUSES),
      deliveredAt: z.iso.datetime().nullable(),
      nextAttemptAt: z.iso.datetime().nullable(),
      attempts: z.array(
        z.object({
          attempt: z.number().int(),
          at: z.iso.datetime(),
          statusCode: z.number().int().nullable(),
          latencyMs: z.number().int(),
          error: z.string().nullable(),
        }),
      ),
      payload: WebhookEventSchema,
    }),
  ),
});
