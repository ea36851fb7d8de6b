/**
 * Request and response schemas of the calls API. The single source for validation (REST and MCP),
 * TypeScript types and the OpenAPI document. Each invalid field maps to exactly one error token.
 */
import { z } from "zod";
import {
  ANSWERED_BY_SOURCES,
  ANSWERERS,
  MAX_VOICEMAIL_MESSAGE_CHARS,
  VOICEMAIL_ACTIONS,
  VOICEMAIL_FAILURES,
} from "./answering";
import { CALL_ERROR_TOKENS } from "./call-errors";
import { CALL_STATUSES } from "./call-status";
import { type ErrorToken, isErrorToken } from "./error-tokens";
import { LiveEventsRequestSchema } from "./live-transcript";
import { PendingQuestionSchema, QuestionsRequestSchema, QuestionViewSchema } from "./questions";
import { ScheduleSchema } from "./schedule";
import { TRANSFER_OUTCOMES } from "./transfer";

export const MAX_FIELDS = 20;
export const MAX_OBJECTIVE_CHARS = 4000;
export const MAX_CONTEXT_CHARS = 10_000;
export const MAX_WEBHOOK_URL_CHARS = 2048;
export const MAX_ON_BEHALF_OF_CHARS = 100;
export const MAX_TRANSFER_WHEN_CHARS = 1000;
/** The longest hold a request may allow (a call never outlasts its own length anyway). */
export const MAX_HOLD_SEC_LIMIT = 4 * 60 * 60;

const absent = (v: unknown) => v === undefined || v === null;

export const FieldSpecSchema = z.object({
  name: z.string().trim().min(1).max(64).describe("Key of this field in `extracted`."),
  type: z
    .enum(["string", "boolean", "number"])
    .default("string")
    .describe("Type of the extracted value; string by default."),
  description: z.string().max(500).nullish().describe("What the field means, for the extractor."),
});
export type FieldSpec = z.output<typeof FieldSpecSchema>;

const FieldsSchema = z
  .array(FieldSpecSchema)
  .max(MAX_FIELDS)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    for (const f of fields) {
      if (seen.has(f.name)) ctx.addIssue({ code: "custom", message: "invalid_fields" });
      seen.add(f.name);
    }
  });

/** The request's `voicemail` (a key may carry one as its default). */
export const VoicemailRequestSchema = z.object({
  action: z
    .enum(VOICEMAIL_ACTIONS)
    .default("hangup")
    .describe("hangup (default): end the call; leave_message: speak after the beep."),
  message: z
    .string()
    .trim()
    .min(1)
    .max(MAX_VOICEMAIL_MESSAGE_CHARS)
    .nullish()
    .describe(
      "What to say after the beep (at most 1,000 characters). Omitted: a short message composed from the objective naming who it calls for and how to call back; never anything from context.",
    ),
});

export const PlaceCallBodySchema = z
  .object(
    {
      to: z
        .string({ error: (iss) => (absent(iss.input) ? "to_required" : "invalid_number") })
        .trim()
        .min(1, { error: "to_required" })
        .describe("Destination number in E.164 format, e.g. +14155550123."),
      objective: z
        .string({ error: "objective_required" })
        .trim()
        .min(1, { error: "objective_required" })
        .max(MAX_OBJECTIVE_CHARS, { error: "objective_too_long" })
        .describe("What the AI should accomplish on the call, as a clear goal in plain text."),
      context: z
        .string()
        .max(MAX_CONTEXT_CHARS)
        .nullish()
        .describe("Background the AI should know. Never shared with the recipient."),
      fields: FieldsSchema.nullish().describe(
        "Structured fields to extract from the transcript, up to 20: { name, type?, description? }.",
      ),
      webhookUrl: z
        .string()
        .max(MAX_WEBHOOK_URL_CHARS)
        .nullish()
        .describe("HTTPS URL that receives signed webhook events during and after the call."),
      callerId: z
        .string()
        .nullish()
        .describe(
          "Caller ID (E.164); must be a number on your account. Defaults to the key's, then the account's.",
        ),
      voice: z
        .string()
        .min(1)
        .max(64)
        .nullish()
        .describe(
          "Voice name, e.g. Aoede, Kore, Puck. Defaults to the key's voice, then the platform's.",
        ),
      language: z
        .string()
        .nullish()
        .describe(
          "BCP-47 code such as en-US, or auto. Omit it to infer from objective and context.",
        ),
      schedule: ScheduleSchema.nullish(),
      onBehalfOf: z
        .string()
        .trim()
        .min(1)
        .max(MAX_ON_BEHALF_OF_CHARS)
        .nullish()
        .describe(
          "Who the agent says it calls for, in its first sentence (at most 100 characters). Defaults to the account's display name.",
        ),
      voicemail: VoicemailRequestSchema.nullish().describe(
        "What the agent does on reaching voicemail; default: the key's, else hangup. Malformed → 400 invalid_voicemail.",
      ),
      maxHoldSec: z
        .number()
        .int()
        .min(1)
        .max(MAX_HOLD_SEC_LIMIT)
        .nullish()
        .describe(
          "Longest wait on hold, in seconds (default 900); the call's own length and the minute cap still bound it. Longer: the call fails with hold_timeout.",
        ),
      transferTo: z
        .string()
        .nullish()
        .describe(
          "E.164 number of a person the agent may hand the call over to (same guardrails as `to`, and not `to` itself). Enables the transfer tool.",
        ),
      transferWhen: z
        .string()
        .trim()
        .max(MAX_TRANSFER_WHEN_CHARS)
        .nullish()
        .describe(
          'When the agent should transfer, in plain text, e.g. "if they want to speak to the account owner". Only with transferTo.',
        ),
      questions: QuestionsRequestSchema.nullish(),
      liveEvents: LiveEventsRequestSchema.nullish(),
    },
    { error: "invalid_json" },
  )
  .meta({
    examples: [
      {
        to: "+14155550123",
        objective: "Book a table for 4 at 7 PM Friday. Confirm the time and ask for their name.",
        context: "We have dined here before. Our preference is a window seat.",
        fields: [
          { name: "booked", type: "boolean", description: "Did they confirm the booking?" },
          { name: "contact_name", type: "string", description: "Name given for the reservation" },
        ],
      },
    ],
  });
export type PlaceCallBody = z.output<typeof PlaceCallBodySchema>;

/** Which token a failing top-level field reports when its issue carries no token of its own. */
const FIELD_TOKENS: Record<string, ErrorToken> = {
  to: "invalid_number",
  objective: "objective_required",
  context: "invalid_context",
  fields: "invalid_fields",
  webhookUrl: "invalid_webhook_url",
  callerId: "invalid_caller_id",
  voice: "invalid_voice",
  language: "invalid_language",
  schedule: "invalid_schedule",
  onBehalfOf: "invalid_on_behalf_of",
  voicemail: "invalid_voicemail",
  maxHoldSec: "invalid_max_hold_sec",
  transferTo: "invalid_transfer_number",
  transferWhen: "invalid_transfer_when",
  questions: "invalid_request",
  liveEvents: "invalid_live_events",
};

/** The token of the first issue, in the schema's field order (so `to` is reported before `objective`). */
export function tokenForIssues(issues: readonly z.core.$ZodIssue[]): ErrorToken {
  const first = issues[0];
  if (!first) return "invalid_request";
  const key = first.path[0];
  if (key === undefined) return "invalid_json";
  const byField = typeof key === "string" ? FIELD_TOKENS[key] : undefined;
  if (!byField) return "invalid_request";
  return isErrorToken(first.message) ? first.message : byField;
}

export const CallStatusSchema = z.enum(CALL_STATUSES);

/** `limit` and `cursor` of a paged list (calls, the do-not-call list): `what`, most recent first. */
export function pageQuery(what: string) {
  return {
    limit: z.coerce
      .number({ error: "invalid_limit" })
      .int()
      .min(1)
      .max(100)
      .default(20)
      .describe(`How many ${what}, most recent first.`),
    cursor: z.string().max(200).optional().describe("`nextCursor` of the previous page."),
  };
}

export const ListCallsQuerySchema = z.object({
  ...pageQuery("calls"),
  status: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .pipe(z.array(CallStatusSchema).min(1).max(CALL_STATUSES.length))
    .optional()
    .describe(`Comma-separated statuses to keep: ${CALL_STATUSES.join(", ")}.`)
    .meta({ examples: ["completed,failed"] }),
});

const QUERY_TOKENS: Record<string, ErrorToken> = {
  limit: "invalid_limit",
  cursor: "invalid_cursor",
  status: "invalid_status",
};

export function tokenForQueryIssues(issues: readonly z.core.$ZodIssue[]): ErrorToken {
  const key = issues[0]?.path[0];
  return (typeof key === "string" && QUERY_TOKENS[key]) || "invalid_request";
}

const iso = z.iso.datetime().nullable();

export const PlaceCallResponseSchema = z
  .object({
    callId: z.uuid(),
    status: z.literal("queued"),
    language: z.string(),
    languageSource: z.enum(["explicit", "inferred", "auto"]),
    voice: z.string(),
    scheduledFor: z.iso
      .datetime()
      .optional()
      .describe("When a scheduled call will be dialed (only on scheduled calls)."),
  })
  .meta({
    examples: [
      {
        callId: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        status: "queued",
        language: "en-US",
        languageSource: "inferred",
        voice: "Aoede",
      },
    ],
  });
export type PlaceCallResponse = z.infer<typeof PlaceCallResponseSchema>;

export const CallSchema = z.object({
  id: z.uuid(),
  status: CallStatusSchema,
  to: z.string(),
  objective: z.string(),
  voice: z.string(),
  language: z.string(),
  languageSource: z.enum(["explicit", "inferred", "auto"]),
  summary: z.string().nullable(),
  transcript: z.string().nullable(),
  extracted: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .nullable(),
  recordingUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: iso,
  endedAt: iso,
  durationSec: z.number().int().nullable(),
  scheduledFor: iso.describe("When a scheduled call is (or was) dialed; null if dialed at once."),
  disclosure: z
    .object({
      spoken: z.boolean(),
      atMs: z.number().int().nullable(),
    })
    .nullable()
    .describe(
      "Whether the agent's first line said it is an AI assistant, on whose behalf it calls and, when recorded, that the call is recorded; atMs is that line's offset. Null until the call has a transcript.",
    ),
  error: z
    .string()
    .nullable()
    .describe(`Why a failed call failed: ${CALL_ERROR_TOKENS.join(", ")}.`),
  extractedEvidence: z
    .record(
      z.string(),
      z
        .object({
          line: z.number().int(),
          speaker: z.enum(["agent", "recipient", "requester"]),
          text: z.string(),
          offsetMs: z.number().int(),
        })
        .nullable(),
    )
    .nullable()
    .describe(
      "For each extracted field, the transcript line its value came from (null when not said).",
    ),
  recordingTruncated: z
    .boolean()
    .describe(
      "True when the service restarted during the call: the recording (and recordingUrl) has only what was saved before, or is missing.",
    ),
  analysisError: z
    .string()
    .nullable()
    .describe(
      "Why summary/extraction could not be produced (llm_unavailable, llm_rejected, malformed_answer, analysis_timeout).",
    ),
  responseLatency: z
    .object({
      turns: z.number().int(),
      p50Ms: z.number().int(),
      p95Ms: z.number().int(),
      firstReplyMs: z
        .number()
        .int()
        .nullable()
        .describe(
          "The first reply: from the end of the person's first words (typically \"Hello?\") to the agent's first audio after them, measured on the call's audio; null on calls from before it was measured.",
        ),
    })
    .nullable()
    .describe("Recipient end of speech to the agent's first audio, over the call's turns."),
  answeredBy: z
    .enum(ANSWERERS)
    .nullable()
    .describe(
      "Who answered: human, voicemail, call_screener, ivr, fax, or unknown (answered, no sure verdict); null until answered.",
    ),
  answeredByMs: z
    .number()
    .int()
    .nullable()
    .describe("From the answer to the verdict on who answered (null without one)."),
  answeredBySource: z
    .enum(ANSWERED_BY_SOURCES)
    .nullable()
    .describe(
      "Who gave the verdict first: carrier (answering-machine detection) or agent (the voice model, or our beep detector).",
    ),
  voicemailMessage: z
    .union([
      z.object({
        left: z.literal(true),
        beepMs: z.number().int().describe("From the answer to the end of the greeting (the beep)."),
        spokenMs: z.number().int().describe("From the answer to the start of the message."),
        text: z.string().describe("The message as spoken, from the transcript."),
      }),
      z.object({ left: z.literal(false), reason: z.enum(VOICEMAIL_FAILURES) }),
    ])
    .nullable()
    .describe(
      "With voicemail.action leave_message: the message left, or why none could be (no_beep, mailbox_full, hung_up); null when none was asked for or a person answered.",
    ),
  holdSec: z
    .number()
    .int()
    .nullable()
    .describe("Total time on hold, in seconds (null until the call ends, and on older calls)."),
  transfer: z
    .object({
      to: z.string(),
      atMs: z.number().int().describe("When the agent handed over, since the answer."),
      outcome: z
        .enum(TRANSFER_OUTCOMES)
        .nullable()
        .describe("connected, no_answer, busy or failed (null: the carrier never said)."),
      durationSec: z.number().int().nullable().describe("How long the person talked."),
    })
    .nullable()
    .describe("The hand-over to a person (transferTo), or null when there was none."),
  pendingQuestion: PendingQuestionSchema.nullable().describe(
    "The agent's question waiting for your answer (POST …/questions/{questionId}/answer), or null.",
  ),
  questions: z
    .array(QuestionViewSchema)
    .describe(
      "Every question the agent asked you on this call, with its answer (answeredBy rest, mcp or timeout).",
    ),
  optedOut: z
    .boolean()
    .describe("The person asked not to be called again; the number is on the do-not-call list."),
});
export type CallView = z.infer<typeof CallSchema>;

export const CallSummarySchema = CallSchema.pick({
  id: true,
  to: true,
  objective: true,
  status: true,
  summary: true,
  createdAt: true,
  startedAt: true,
  endedAt: true,
  durationSec: true,
  scheduledFor: true,
});
export type CallSummaryView = z.infer<typeof CallSummarySchema>;

export const ListCallsResponseSchema = z.object({
  calls: z.array(CallSummarySchema),
  nextCursor: z.string().nullable(),
});

export const ErrorResponseSchema = z.object({ error: z.string() });
