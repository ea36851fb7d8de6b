/**
 * Gemini's REST `generateContent` for post-call analysis (protocols.md C, "Post-call extraction"):
 * `POST {base}/v1beta/models/{model}:generateContent` with the key in `x-goog-api-key`; the
 * answer's JSON text is in `candidates[0].content.parts[].text` (thought parts, if a model sends
 * any, are skipped). Errors come back as `{ error: { code, message, status, details? } }`.
 *
 * Retries: 429 and 5xx answers and network failures are retried with exponential backoff and
 * jitter, honouring the server's hint (a `Retry-After` header, or a `google.rpc.RetryInfo`
 * `retryDelay` in the error body), until `maxAttempts` or until the next try would start after
 * `deadline` (the call's post-call watchdog). Each attempt is also cut off at the deadline. Other
 * 4xx answers are final. Detail goes to logs; callers get one token.
 */

import { retryAfterMs } from "../domain/retry-schedule";
import type { Transport } from "../lib/loopback";
import { err, ok, type Result } from "../lib/result";
import type { GenerateContentRequest } from "./schema";
import type { AnalysisErrorToken } from "./types";

export const GEMINI_API_BASE = "https://generativelanguage.googleapis.com";

export type GeminiClientOptions = {
  /** API origin, e.g. https://generativelanguage.googleapis.com (or a fake's). */
  baseUrl: string;
  apiKey: string;
  /** Model id, with or without the `models/` prefix. */
  model: string;
  /** How requests leave; defaults to the global fetch. */
  fetch?: Transport;
  /** Epoch ms: no attempt starts, and none runs, past this instant. */
  deadline: number;
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff step; doubles per retry (1 s, 2 s, 4 s …). Default 1000. */
  baseDelayMs?: number;
  /** Cap on one computed backoff step (a server's own hint is not capped). Default 20 000. */
  maxDelayMs?: number;
  /** One attempt's own bound, so a hung request still leaves time to retry. Default 30 000. */
  attemptTimeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter source. */
  random?: () => number;
};

const DEFAULTS = {
  maxAttempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 20_000,
  attemptTimeoutMs: 30_000,
};

/** Candidates stopped for these reasons carry no usable answer: the model declined. */
const REFUSALS = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"]);

function generateContentUrl(baseUrl: string, model: string): string {
  const id = model.replace(/^models\//, "");
  return `${baseUrl.replace(/\/+$/, "")}/v1beta/models/${encodeURIComponent(id)}:generateContent`;
}

type Attempt =
  | { kind: "answer"; result: Result<unknown, AnalysisErrorToken> }
  | { kind: "retry"; hintMs: number | null; why: string }
  | { kind: "timeout" };

/** Sends the request and returns the model's answer parsed from its JSON text. */
export async function generateAnalysis(
  request: GenerateContentRequest,
  opts: GeminiClientOptions,
): Promise<Result<unknown, AnalysisErrorToken>> {
  const o = { ...DEFAULTS, ...definedOnly(opts) };
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const url = generateContentUrl(opts.baseUrl, opts.model);
  const body = JSON.stringify(request);

  for (let attempt = 1; ; attempt++) {
    if (now() >= opts.deadline) return err("analysis_timeout");
    const outcome = await attemptOnce(url, body, opts, o.attemptTimeoutMs, now);
    if (outcome.kind === "answer") return outcome.result;
    if (outcome.kind === "timeout") {
      console.warn("analysis LLM: deadline reached during a request", { attempt });
      return err("analysis_timeout");
    }
    const step = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
    // Equal jitter: at least half the step, so retries from many calls spread out but never bunch.
    const delay = outcome.hintMs ?? Math.round(step / 2 + (random() * step) / 2);
    if (attempt >= o.maxAttempts || now() + delay >= opts.deadline) {
      console.warn("analysis LLM attempt failed, giving up", { attempt, why: outcome.why });
      return err("llm_unavailable");
    }
    console.warn("analysis LLM attempt failed, retrying", {
      attempt,
      why: outcome.why,
      retryInMs: delay,
    });
    await sleep(delay);
  }
}

function definedOnly(opts: GeminiClientOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const v = opts[key];
    if (typeof v === "number" && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

async function attemptOnce(
  url: string,
  body: string,
  opts: GeminiClientOptions,
  attemptTimeoutMs: number,
  now: () => number,
): Promise<Attempt> {
  const untilDeadline = opts.deadline - now();
  const byDeadline = untilDeadline <= attemptTimeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(),
    Math.max(0, Math.min(untilDeadline, attemptTimeoutMs)),
  );
  // A local, never a method call: workerd's fetch refuses to run with a foreign `this`.
  const send = opts.fetch ?? ((req: Request) => fetch(req));
  try {
    const response = await send(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": opts.apiKey },
        body,
        signal: controller.signal,
      }),
    );
    const text = await response.text();
    if (response.ok) return { kind: "answer", result: readAnswer(text) };
    const why = `${response.status} ${errorStatus(text)}`;
    if (response.status === 429 || response.status >= 500) {
      return {
        kind: "retry",
        hintMs: retryHintMs(response.headers.get("retry-after"), text, now()),
        why,
      };
    }
    console.warn("analysis LLM rejected the request", { why, message: errorMessage(text) });
    return { kind: "answer", result: err("llm_rejected") };
  } catch (e) {
    if (controller.signal.aborted && byDeadline) return { kind: "timeout" };
    return {
      kind: "retry",
      hintMs: null,
      why: controller.signal.aborted ? "attempt timeout" : String(e),
    };
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The model's JSON answer out of a 200 `GenerateContentResponse`. */
function readAnswer(responseText: string): Result<unknown, AnalysisErrorToken> {
  const response = parseJson(responseText);
  if (response === undefined) return err("malformed_answer");
  const blocked = field(field(response, "promptFeedback"), "blockReason");
  const candidates = field(response, "candidates");
  const candidate = Array.isArray(candidates) ? (candidates[0] as unknown) : undefined;
  if (blocked !== undefined || candidate === undefined) {
    console.warn("analysis LLM returned no candidate", { blockReason: blocked });
    return err("llm_rejected");
  }
  const parts = field(field(candidate, "content"), "parts");
  const text = (Array.isArray(parts) ? parts : [])
    .filter((p) => field(p, "thought") !== true)
    .map((p) => field(p, "text"))
    .filter((t): t is string => typeof t === "string")
    .join("");
  const finishReason = field(candidate, "finishReason");
  if (!text.trim()) {
    if (typeof finishReason === "string" && REFUSALS.has(finishReason)) {
      console.warn("analysis LLM declined to answer", { finishReason });
      return err("llm_rejected");
    }
    return err("malformed_answer");
  }
  const answer = parseJson(stripFence(text));
  if (answer === undefined) {
    console.warn("analysis LLM answer is not JSON", { finishReason, chars: text.length });
    return err("malformed_answer");
  }
  return ok(answer);
}

/** JSON mode should never fence its output, but a fenced object is still the same object. */
function stripFence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return fenced?.[1] ?? text;
}

function errorStatus(text: string): string {
  const status = field(field(parseJson(text), "error"), "status");
  return typeof status === "string" ? status : "";
}

function errorMessage(text: string): string {
  const message = field(field(parseJson(text), "error"), "message");
  return typeof message === "string" ? message.slice(0, 300) : "";
}

/**
 * The server's own wait, in ms: `Retry-After` (delta-seconds or an HTTP date), else the
 * `retryDelay` ("38s", "1.5s") of a `google.rpc.RetryInfo` detail in the error body.
 */
function retryHintMs(header: string | null, body: string, nowMs: number): number | null {
  const hinted = retryAfterMs(header, nowMs);
  if (hinted !== null) return hinted;
  const details = field(field(parseJson(body), "error"), "details");
  if (!Array.isArray(details)) return null;
  for (const detail of details) {
    const delay = field(detail, "retryDelay");
    const match = typeof delay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (match?.[1]) return Math.round(Number(match[1]) * 1000);
  }
  return null;
}
