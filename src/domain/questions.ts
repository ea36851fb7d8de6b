/**
 * Questions to the requester (issue 16): the voice agent asks the program or AI agent that placed
 * the call (`ask_requester`), keeps the line open, and carries on with the answer — or, when none
 * comes by the question's expiry, with "no answer". Pure rules; the engine keeps the questions in
 * its state and answers the model's pending tool call.
 */
import { z } from "zod";
import { stringArg, type ToolCall, type ToolDeclaration } from "./tool";

export const QUESTION_TIMEOUT_MIN_SEC = 5;
export const QUESTION_TIMEOUT_MAX_SEC = 300;
export const QUESTION_TIMEOUT_DEFAULT_SEC = 60;
export const MAX_ANSWER_CHARS = 2000;
const MAX_QUESTION_CHARS = 500;
const MAX_OPTIONS = 10;

export const ANSWERED_BY = ["rest", "mcp", "timeout"] as const;
export type AnsweredBy = (typeof ANSWERED_BY)[number];

/** The request's `questions` field. */
export const QuestionsRequestSchema = z
  .object({
    enabled: z.boolean().describe("Offer the agent the ask_requester tool."),
    timeoutSec: z
      .number()
      .int()
      .min(QUESTION_TIMEOUT_MIN_SEC)
      .max(QUESTION_TIMEOUT_MAX_SEC)
      .default(QUESTION_TIMEOUT_DEFAULT_SEC)
      .describe("How long a question waits for an answer before the agent goes on without one."),
  })
  .describe("Let the agent ask you a question mid-call (off by default).");

export const ASK_REQUESTER_TOOL = {
  name: "ask_requester",
  description:
    "Ask the person or program that asked you to make this call a question only they can answer (a changed time, a price, a choice). First tell the person on the phone you need a moment to check. The result is the requester's answer, or that no answer came in time.",
  parameters: {
    properties: {
      question: { type: "string", description: "The question, short and self-contained." },
      options: {
        type: "array",
        items: { type: "string" },
        description: "Possible answers, if there are a few obvious ones.",
      },
    },
    required: ["question"],
  },
} as const satisfies ToolDeclaration;

/** One question as the call keeps it; `answeredBy` null while it is pending. */
export type Question = {
  id: string;
  /** The model's tool call waiting for the answer. */
  toolCallId: string;
  question: string;
  options: string[];
  askedAt: number;
  expiresAt: number;
  answer: string | null;
  answeredAt: number | null;
  answeredBy: AnsweredBy | null;
};

export const StoredQuestionSchema = z.object({
  id: z.string(),
  toolCallId: z.string(),
  question: z.string(),
  options: z.array(z.string()),
  askedAt: z.number(),
  expiresAt: z.number(),
  answer: z.string().nullable(),
  answeredAt: z.number().nullable(),
  answeredBy: z.enum(ANSWERED_BY).nullable(),
});

/** The question a tool call asks, or why it cannot be asked. */
export function askedQuestion(
  call: ToolCall,
  opts: { callId: string; number: number; timeoutSec: number; now: number },
): Question | { error: string } {
  const question = stringArg(call, "question")?.trim().slice(0, MAX_QUESTION_CHARS);
  if (!question) return { error: "question_required" };
  const raw = Array.isArray(call.args.options) ? call.args.options : [];
  const options = raw
    .filter((o): o is string => typeof o === "string" && o.trim() !== "")
    .slice(0, MAX_OPTIONS);
  return {
    id: `q_${opts.callId.replaceAll("-", "").slice(0, 12)}${opts.number}`,
    toolCallId: call.id,
    question,
    options,
    askedAt: opts.now,
    expiresAt: opts.now + opts.timeoutSec * 1000,
    answer: null,
    answeredAt: null,
    answeredBy: null,
  };
}

export function pendingQuestion(questions: readonly Question[]): Question | undefined {
  return questions.find((q) => q.answeredBy === null);
}

/** What answering a question is refused with. */
export type AnswerRefusal = "not_found" | "closed";

/** The tool's result for the model once the question is closed. */
export function questionResult(q: Question): Record<string, unknown> {
  if (q.answeredBy === "timeout")
    return {
      answered: false,
      note: "The requester did not answer in time. Go on without it as your instructions allow; you may say you will call back.",
    };
  return { answered: true, answer: q.answer };
}

/** The transcript line a closed question leaves, as the requester's own line. */
export function requesterLineText(q: Question): string {
  const asked = `(asked: ${q.question})`;
  if (q.answeredBy === "timeout") return `${asked} no answer in time`;
  return `${asked} ${q.answer ?? ""}`.trim();
}

/** The question as the API shows it (times as ISO strings). */
export type QuestionView = {
  id: string;
  question: string;
  options: string[];
  askedAt: string;
  expiresAt: string;
  answer: string | null;
  answeredAt: string | null;
  answeredBy: AnsweredBy | null;
};

export function questionView(q: Question): QuestionView {
  return {
    id: q.id,
    question: q.question,
    options: q.options,
    askedAt: new Date(q.askedAt).toISOString(),
    expiresAt: new Date(q.expiresAt).toISOString(),
    answer: q.answer,
    answeredAt: q.answeredAt === null ? null : new Date(q.answeredAt).toISOString(),
    answeredBy: q.answeredBy,
  };
}

export const QuestionViewSchema = z.object({
  id: z.string(),
  question: z.string(),
  options: z.array(z.string()),
  askedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  answer: z.string().nullable(),
  answeredAt: z.iso.datetime().nullable(),
  answeredBy: z.enum(ANSWERED_BY).nullable(),
});

export const PendingQuestionSchema = QuestionViewSchema.pick({
  id: true,
  question: true,
  options: true,
  askedAt: true,
  expiresAt: true,
});

export type PendingQuestionView = z.infer<typeof PendingQuestionSchema>;

export const AnswerBodySchema = z.object({
  answer: z.string().trim().min(1).max(MAX_ANSWER_CHARS).describe("Your answer, in plain words."),
});
