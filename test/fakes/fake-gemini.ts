/**
 * A local fake of Gemini's REST `generateContent` (protocols.md C), as an injectable fetch, for
 * tests and local runs without a key. It checks requests the way the real API does (path, API
 * key, JSON body, `contents`, one response schema kind with JSON mode) and answers in its wire
 * shapes: `{ candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason }],
 * usageMetadata, modelVersion }` on success, `{ error: { code, message, status, details? } }`
 * with the HTTP status on failure. Every request is recorded so tests can assert what was sent.
 *
 * The script is played in order, one step per valid request; when it runs out, its last step
 * repeats. A step may be a function of the request (e.g. to answer from the transcript sent).
 */
import type { Transport } from "../../src/lib/loopback";

export type FakeStep = { delayMs?: number } & (
  | { answer: unknown }
  | { text: string; finishReason?: string }
  | { status: number; message?: string; retryAfter?: string; retryDelay?: string }
  | { blocked: string }
  | { networkError: string }
  | { hang: true }
);

export type RecordedRequest = {
  url: string;
  method: string;
  model: string | null;
  apiKey: string | null;
  /** The parsed JSON body (undefined if it did not parse). */
  body: unknown;
};

export type FakeScriptEntry = FakeStep | ((request: RecordedRequest) => FakeStep);

export type FakeGemini = Transport & { readonly requests: RecordedRequest[] };

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const PATH = /^\/v1beta\/models\/([^/:]+):generateContent$/;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}

export function geminiError(
  status: number,
  message: string,
  details?: unknown[],
  headers: Record<string, string> = {},
): Response {
  const error = { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN", details };
  return json(status, { error }, headers);
}

function aborted(): DOMException {
  return new DOMException("The operation was aborted.", "AbortError");
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(aborted());
    const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
    signal.addEventListener("abort", () => {
      if (timer !== undefined) clearTimeout(timer);
      reject(aborted());
    });
  });
}

function has(value: unknown, key: string): boolean {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key);
}

function get(value: unknown, key: string): unknown {
  return has(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** What the real API answers for a request it cannot accept, or null if it would run it. */
function protocolError(
  req: Request,
  recorded: RecordedRequest,
  expectedKey: string | undefined,
): Response | null {
  if (req.method !== "POST" || !recorded.model) {
    return geminiError(404, `The requested URL ${new URL(req.url).pathname} was not found.`);
  }
  if (!recorded.apiKey) {
    return geminiError(403, "Method doesn't allow unregistered callers. Please use an API key.");
  }
  if (expectedKey !== undefined && recorded.apiKey !== expectedKey) {
    return geminiError(400, "API key not valid. Please pass a valid API key.");
  }
  const body = recorded.body;
  if (body === undefined) return geminiError(400, "Invalid JSON payload received.");
  const contents = get(body, "contents");
  if (!Array.isArray(contents) || contents.length === 0) {
    return geminiError(400, "* GenerateContentRequest.contents: contents is not specified");
  }
  const config = get(body, "generationConfig");
  if (has(config, "responseSchema") && has(config, "responseJsonSchema")) {
    return geminiError(400, "responseSchema and responseJsonSchema cannot both be set.");
  }
  if (has(config, "responseJsonSchema") && get(config, "responseMimeType") !== "application/json") {
    return geminiError(400, "responseJsonSchema requires responseMimeType application/json.");
  }
  return null;
}

function success(text: string, finishReason: string, model: string): Response {
  const promptTokenCount = 100;
  const candidatesTokenCount = Math.ceil(text.length / 4);
  return json(200, {
    candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason, index: 0 }],
    usageMetadata: {
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount,
    },
    modelVersion: model,
    responseId: crypto.randomUUID(),
  });
}

async function play(step: FakeStep, req: Request, model: string): Promise<Response> {
  if (step.delayMs) await wait(step.delayMs, req.signal);
  if ("hang" in step) {
    // Only the caller's abort ends it.
    await wait(Number.POSITIVE_INFINITY, req.signal);
    return geminiError(504, "Deadline expired before operation could complete.");
  }
  if ("networkError" in step) throw new TypeError(step.networkError);
  if ("blocked" in step) {
    return json(200, { promptFeedback: { blockReason: step.blocked }, modelVersion: model });
  }
  if ("status" in step) {
    const headers: Record<string, string> = step.retryAfter
      ? { "retry-after": step.retryAfter }
      : {};
    const details = step.retryDelay
      ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: step.retryDelay }]
      : undefined;
    return geminiError(step.status, step.message ?? `fake ${step.status}`, details, headers);
  }
  if ("answer" in step) return success(JSON.stringify(step.answer), "STOP", model);
  return success(step.text, step.finishReason ?? "STOP", model);
}

/** A fetch-compatible fake Gemini endpoint playing `script`; see the module comment. */
export function fakeGeminiFetch(
  script: FakeScriptEntry | readonly FakeScriptEntry[],
  opts: { apiKey?: string } = {},
): FakeGemini {
  const steps: readonly FakeScriptEntry[] = Array.isArray(script)
    ? script
    : [script as FakeScriptEntry];
  const requests: RecordedRequest[] = [];
  let next = 0;
  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const text = await req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const model = PATH.exec(url.pathname)?.[1] ?? null;
    const apiKey = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
    const recorded: RecordedRequest = { url: req.url, method: req.method, model, apiKey, body };
    requests.push(recorded);
    const refused = protocolError(req, recorded, opts.apiKey);
    if (refused) return refused;
    const entry = steps[Math.min(next, steps.length - 1)];
    next++;
    if (!entry) return geminiError(500, "fake script is empty");
    const step = typeof entry === "function" ? entry(recorded) : entry;
    return play(step, req, model ?? "");
  };
  return Object.assign(handler, { requests });
}
