/**
 * The MCP tools: the same operations as the REST API, through the same service functions, with
 * input schemas from the same zod schemas and descriptions written for a model. Failures come
 * back as tool errors carrying the REST error tokens, `{ "error": "token" }`.
 */
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { answerQuestion } from "../app/answer-question";
import { cancelCall } from "../app/cancel-call";
import { type Failure, fail, type Outcome } from "../app/outcome";
import { placeCall } from "../app/place-call";
import { getCall, listCalls } from "../app/read-calls";
import type { Db } from "../db/client";
import { describeError } from "../db/client";
import {
  CallStatusSchema,
  PlaceCallBodySchema,
  tokenForIssues,
  tokenForQueryIssues,
} from "../domain/call-schemas";
import { TERMINAL_STATUSES } from "../domain/call-status";
import type { Principal } from "../domain/principal";
import { AnswerBodySchema } from "../domain/questions";
import { pollDelayMs } from "../domain/wait-slots";
import type { Config } from "../env";
import { map, ok } from "../lib/result";
import { waitSlots } from "../limits/rate-limiter.do";
import { durableCallEngine } from "../session-client/engine-client";
import { placementDeps, type RequestContext } from "../wiring";

export type ToolContext = {
  env: Env;
  config: Config;
  db: Db;
  principal: Principal;
  request: RequestContext;
  /** Aborts when the client goes away (needs the `enable_request_signal` compatibility flag). */
  signal?: AbortSignal;
};

export type ToolResult = {
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

type Tool = {
  name: string;
  description: string;
  input: z.ZodObject;
  annotations: {
    title: string;
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint?: boolean;
    openWorldHint: boolean;
  };
  run: (ctx: ToolContext, args: Record<string, unknown>) => Promise<Outcome<object>>;
};

const CallIdInput = z.object({
  callId: z.string().min(1).describe("The callId returned by place_call."),
});
const ListInput = z.object({
  limit: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe("How many calls, most recent first (default 20, max 100)."),
  cursor: z.string().max(200).optional().describe("nextCursor from the previous page."),
  status: z.array(CallStatusSchema).optional().describe("Only calls in these statuses."),
});
const AnswerInput = CallIdInput.extend({
  questionId: z.string().min(1).max(100).describe("pendingQuestion.id"),
  answer: AnswerBodySchema.shape.answer,
});
export const MAX_WAIT_SEC = 300;
/**
 * Under the 60 s request timeout of the SDK's Client, which Claude Desktop and most hosts keep:
 * a longer wait there ends in "Request timed out" instead of a record with timedOut: true.
 */
export const DEFAULT_WAIT_SEC = 45;
const WaitInput = CallIdInput.extend({
  timeoutSec: z
    .number()
    .int()
    .min(1)
    .max(MAX_WAIT_SEC)
    .optional()
    .describe(
      `How long to wait, in seconds (default ${DEFAULT_WAIT_SEC}, at most ${MAX_WAIT_SEC}). Keep the default unless your client allows tool calls longer than a minute.`,
    ),
});

/**
 * Waits running at once per API key; a further wait_for_call is rate_limited. Each wait polls D1
 * (see pollDelayMs), so this bounds what one key can make the database do.
 */
export const MAX_WAITS_PER_KEY = 5;
/** A wait's place is held this long past its timeout: its last read and answer. */
const WAIT_LEASE_SLACK_MS = 30_000;

/** Reads the call until it has ended, the deadline passes or the client goes away. */
async function pollUntilEnded(
  ctx: ToolContext,
  callId: string,
  deadline: number,
): Promise<Outcome<object>> {
  for (let poll = 0; ; poll++) {
    const read = await getCall(ctx.db, ctx.principal.accountId, callId, ctx.request.requestOrigin);
    if (!read.ok) return read;
    const call = read.value;
    const remaining = deadline - Date.now();
    const ended = TERMINAL_STATUSES.has(call.status);
    // A question from the agent needs the caller now: return it while the call waits.
    if (ended || call.pendingQuestion || remaining <= 0 || ctx.signal?.aborted)
      return ok({ ...call, timedOut: !ended && !call.pendingQuestion });
    await new Promise((r) => setTimeout(r, Math.min(pollDelayMs(poll), remaining)));
  }
}

const STATUS_MEANINGS =
  "Statuses: queued, dialing and in_progress are not final; completed (the conversation happened; read summary, transcript and extracted), no_answer, voicemail, declined and failed (see error) are final.";

export const TOOLS: Tool[] = [
  {
    name: "place_call",
    description: [
      "Phone someone and have an AI voice agent pursue an objective on the call. Returns at once with a callId; the call runs asynchronously (use wait_for_call to get the outcome).",
      "`to` is the destination in E.164 format (+14155550123); only US, CA, GB, AU, NZ and IL numbers are allowed.",
      "`objective` is what the agent should achieve, as a clear goal. `context` is background for the agent only and is never read to the person.",
      '`fields` lists facts to extract afterwards, e.g. [{"name":"booked","type":"boolean"}] (types: string, boolean, number; up to 20).',
      "Omit `language` to infer it from the objective; pass a BCP-47 code like en-US, or auto to mirror whoever answers.",
      'Errors come back as {"error": token}, e.g. destination_blocked, do_not_call (the number is on the account\'s do-not-call list), destination_frequency_capped (too many calls to that number in 24 h), invalid_number, invalid_transfer_number (transferTo outside the guardrails or equal to to), objective_required, rate_limited, over_minute_cap.',
    ].join(" "),
    input: PlaceCallBodySchema,
    annotations: {
      title: "Place a phone call",
      readOnlyHint: false,
      destructiveHint: false,
      openWorldHint: true,
    },
    run: async (ctx, args) => {
      const parsed = PlaceCallBodySchema.safeParse(args);
      // The same tokens as POST /v1/agent/calls: to_required, invalid_number, invalid_fields, …
      if (!parsed.success) return fail(tokenForIssues(parsed.error.issues));
      const deps = placementDeps(ctx.env, ctx.config, ctx.db, ctx.request);
      return map(await placeCall(deps, ctx.principal, parsed.data), (p) => p.response);
    },
  },
  {
    name: "wait_for_call",
    description: `Wait until a call has ended, the agent asks you a question, or timeoutSec passes, then return its full record: status, summary, transcript, extracted fields with evidence, recordingUrl. When pendingQuestion is set, the agent is holding the line for your answer: reply with answer_question (before its expiresAt), then call wait_for_call again. Use right after place_call to "make the call and tell me what they said" in one step. ${STATUS_MEANINGS} Phone calls often last a few minutes: if timedOut is true the call is still going, so call wait_for_call again with the same callId. At most ${MAX_WAITS_PER_KEY} waits run at once per API key; another answers rate_limited.`,
    input: WaitInput,
    annotations: {
      title: "Wait for a call to end",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    run: async (ctx, args) => {
      const { callId, timeoutSec } = WaitInput.parse(args);
      const waitMs = (timeoutSec ?? DEFAULT_WAIT_SEC) * 1000;
      const slots = waitSlots(ctx.env.RATE_LIMITER, ctx.principal.keyId);
      const slot = await slots.enter(MAX_WAITS_PER_KEY, waitMs + WAIT_LEASE_SLACK_MS);
      if (!slot.ok) return fail("rate_limited", { retryAfterSec: slot.retryAfterSec });
      try {
        return await pollUntilEnded(ctx, callId, Date.now() + waitMs);
      } finally {
        // Not given back (the isolate died), the place frees itself when its lease expires.
        await slots.leave(slot.lease).catch((e) => {
          console.error("wait slot release failed", { error: String(e) });
        });
      }
    },
  },
  {
    name: "get_call",
    description: `Read one call's current record (status, summary, transcript, extracted fields, recordingUrl, timestamps). ${STATUS_MEANINGS}`,
    input: CallIdInput,
    annotations: {
      title: "Get a call",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    run: async (ctx, args) => {
      const { callId } = CallIdInput.parse(args);
      return getCall(ctx.db, ctx.principal.accountId, callId, ctx.request.requestOrigin);
    },
  },
  {
    name: "list_calls",
    description:
      "List this account's calls, most recent first, as summaries (id, to, objective, status, summary, timestamps). Page with nextCursor.",
    input: ListInput,
    annotations: {
      title: "List calls",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    run: async (ctx, args) => {
      const parsed = ListInput.safeParse(args);
      // The same tokens as GET /v1/agent/calls: invalid_limit, invalid_cursor, invalid_status.
      if (!parsed.success) return fail(tokenForQueryIssues(parsed.error.issues));
      const q = parsed.data;
      return listCalls(ctx.db, ctx.principal.accountId, {
        limit: q.limit ?? 20,
        cursor: q.cursor,
        statuses: q.status,
      });
    },
  },
  {
    name: "cancel_call",
    description:
      "Hang up a live call, or withdraw one that is queued or ringing. It ends as failed with error canceled. A call that has already ended answers call_already_ended.",
    input: CallIdInput,
    annotations: {
      title: "Cancel a call",
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    },
    run: async (ctx, args) => {
      const { callId } = CallIdInput.parse(args);
      const origin = ctx.request.requestOrigin;
      const engine = durableCallEngine(ctx.env.CALL_SESSION, ctx.config.publicBaseUrl ?? origin);
      return cancelCall(
        { db: ctx.db, engine },
        { accountId: ctx.principal.accountId, callId, baseUrl: origin },
      );
    },
  },
  {
    name: "answer_question",
    description:
      "Answer the question the agent asked you during a call (pendingQuestion in wait_for_call or get_call). The agent hears your answer at once and carries on. An answer already given or a question past its expiresAt answers question_closed.",
    input: AnswerInput,
    annotations: {
      title: "Answer the agent's question",
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    },
    run: async (ctx, args) => {
      const { callId, questionId, answer } = AnswerInput.parse(args);
      const engine = durableCallEngine(
        ctx.env.CALL_SESSION,
        ctx.config.publicBaseUrl ?? ctx.request.requestOrigin,
      );
      return answerQuestion(
        { db: ctx.db, engine },
        { accountId: ctx.principal.accountId, callId, questionId, answer, by: "mcp" },
      );
    },
  },
];

/** Runs a tool; any failure is a tool error with the same token REST would answer. */
export async function runTool(ctx: ToolContext, name: string, args: unknown): Promise<ToolResult> {
  const tool = TOOLS.find((t) => t.name === name);
  // A protocol error, as the SDK's McpServer answers: the client asked for a tool it was not offered.
  if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
  try {
    const outcome = await tool.run(ctx, (args ?? {}) as Record<string, unknown>);
    if (!outcome.ok) return toolError(outcome.error);
    const value = { ...outcome.value };
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
  } catch (e) {
    if (e instanceof z.ZodError) return toolError({ token: "invalid_request" });
    console.error("MCP tool failed", { tool: name, error: describeError(e) });
    return toolError({ token: "internal" });
  }
}

/**
 * The REST body as the first text; REST's Retry-After or Next-Window-At, when there is one, as a
 * second.
 */
function toolError(failure: Pick<Failure, "token" | "retryAfterSec" | "nextWindowAt">): ToolResult {
  const { token, retryAfterSec, nextWindowAt } = failure;
  const content: ToolResult["content"] = [{ type: "text", text: JSON.stringify({ error: token }) }];
  if (retryAfterSec !== undefined)
    content.push({ type: "text", text: `Retry after ${retryAfterSec} seconds.` });
  if (nextWindowAt !== undefined)
    content.push({ type: "text", text: `The next calling window opens at ${nextWindowAt}.` });
  return { content, isError: true };
}

/** The tools as MCP lists them: JSON Schemas generated from the zod schemas. */
export function toolList() {
  return TOOLS.map((t) => ({
    name: t.name,
    description: t.description,
    inputSchema: z.toJSONSchema(t.input, { io: "input", unrepresentable: "any" }) as {
      type: "object";
      [k: string]: unknown;
    },
    annotations: t.annotations,
  }));
}
