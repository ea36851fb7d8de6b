/**
 * Request and response schemas of the calls API. The single source for validation (REST and MCP),
 * TypeScript types and the OpenAPI document. Each invalid field maps to exactly one error token.
 */
import { z } from "zod";
import { CALL_ERROR_TOKENS } from "./call-errors";
import { CALL_STATUSES } from "./call-status";
import { type ErrorToken, isErrorToken } from "./error-tokens";
import { PendingQuestionSchema, QuestionsRequestSchema, QuestionViewSchema } from "./questions";

export const MAX_FIELDS = 20;
export const MAX_OBJECTIVE_CHARS = 4000;
export const MAX_CONTEXT_CHARS = 10_000;
export const MAX_WEBHOOK_URL_CHARS = 2048;

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
      questions: QuestionsRequestSchema.nullish(),
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
  questions: "invalid_request",
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
});
export type CallSummaryView = z.infer<typeof CallSummarySchema>;

export const ListCallsResponseSchema = z.object({
  calls: z.array(CallSummarySchema),
  nextCursor: z.string().nullable(),
});

export const ErrorResponseSchema = z.object({ error: z.string() });
