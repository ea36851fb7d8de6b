/**
 * The analysis LLM client against the local fake of Gemini's generateContent, inside workerd:
 * retries with backoff on 429/5xx, no retry on other 4xx, the post-call deadline, malformed
 * answers, and the whole analysis of a call when the LLM fails and then succeeds.
 */
import { describe, expect, it } from "vitest";
import { analyzeCall } from "../../src/analysis/analyze";
import { type GeminiClientOptions, generateAnalysis } from "../../src/analysis/gemini-client";
import { buildAnalysisRequest } from "../../src/analysis/schema";
import { simulatedAnswer } from "../../src/analysis/simulated-analysis";
import type { FieldSpec } from "../../src/domain/call-schemas";
import type { TranscriptLine } from "../../src/domain/transcript";
import { type FakeScriptEntry, fakeGeminiFetch } from "../fakes/fake-gemini";

const FIELDS: FieldSpec[] = [
  { name: "confirmed", type: "boolean" },
  { name: "amount", type: "number", description: "Price quoted in USD" },
  { name: "next_steps", type: "string", description: "What the contact said they will do next" },
];
const LINES: TranscriptLine[] = [
  { speaker: "agent", text: "Hi, I'm calling to confirm the quote for the repair.", offsetMs: 900 },
  { speaker: "recipient", text: "Yes, confirmed. It comes to 249 dollars.", offsetMs: 4100 },
  { speaker: "agent", text: "Great. What happens next?", offsetMs: 7000 },
  { speaker: "recipient", text: "We will email the signed contract by Thursday.", offsetMs: 9300 },
];
const OBJECTIVE = "Confirm the repair quote and the next steps.";
const REQUEST = buildAnalysisRequest({
  objective: OBJECTIVE,
  fields: FIELDS,
  status: "completed",
  lines: LINES,
});
const ANSWER = {
  summary: "The contact confirmed the $249 quote and will email the signed contract by Thursday.",
  fields: {
    confirmed: true,
    amount: 249,
    next_steps: "They will email the signed contract by Thursday.",
  },
  evidence: { confirmed: 1, amount: 1, next_steps: 3 },
};

function client(
  script: FakeScriptEntry | FakeScriptEntry[],
  opts: Partial<GeminiClientOptions> = {},
) {
  const fake = fakeGeminiFetch(script, { apiKey: "test-gemini-key" });
  const options: GeminiClientOptions = {
    baseUrl: "https://gemini.test/",
    apiKey: "test-gemini-key",
    model: "gemini-3.8-flash",
    fetch: fake,
    deadline: Date.now() + 10_000,
    baseDelayMs: 5,
    ...opts,
  };
  return { fake, options };
}

describe("generateAnalysis against the fake Gemini", () => {
  it("sends the analysis request to generateContent with the key header, and parses the answer", async () => {
    const { fake, options } = client({ answer: ANSWER });
    const result = await generateAnalysis(REQUEST, options);
    expect(result).toEqual({ ok: true, value: ANSWER });
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent?.url).toBe("https://gemini.test/v1beta/models/gemini-3.8-flash:generateContent");
    expect(sent?.method).toBe("POST");
    expect(sent?.apiKey).toBe("test-gemini-key");
    expect(sent?.body).toEqual(REQUEST);
  });

  it("sends the exact schema for each field type", async () => {
    const { fake, options } = client({ answer: ANSWER });
    await generateAnalysis(REQUEST, options);
    const body = fake.requests[0]?.body as { generationConfig?: unknown } | undefined;
    const config = body?.generationConfig;
    expect(config).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: {
        type: "object",
        properties: {
          summary: { type: "string", description: expect.any(String) },
          fields: {
            type: "object",
            properties: {
              confirmed: {
                anyOf: [{ type: "boolean" }, { type: "null" }],
                description: "The confirmed (boolean). null if the conversation did not state it.",
              },
              amount: {
                anyOf: [{ type: "number" }, { type: "null" }],
                description:
                  "Price quoted in USD (number). null if the conversation did not state it.",
              },
              next_steps: {
                anyOf: [{ type: "string" }, { type: "null" }],
                description:
                  "What the contact said they will do next (string). null if the conversation did not state it.",
              },
            },
            required: ["confirmed", "amount", "next_steps"],
          },
          evidence: {
            type: "object",
            properties: Object.fromEntries(
              FIELDS.map((f) => [
                f.name,
                {
                  anyOf: [{ type: "integer", minimum: 0, maximum: 3 }, { type: "null" }],
                  description: expect.stringContaining("Index of the transcript line"),
                },
              ]),
            ),
            required: ["confirmed", "amount", "next_steps"],
          },
        },
        required: ["summary", "fields", "evidence"],
      },
    });
  });

  it("retries 503 then 429, then succeeds: three requests and a good answer", async () => {
    const { fake, options } = client([{ status: 503 }, { status: 429 }, { answer: ANSWER }]);
    const result = await generateAnalysis(REQUEST, options);
    expect(result).toEqual({ ok: true, value: ANSWER });
    expect(fake.requests).toHaveLength(3);
  });

  it("backs off exponentially and honours the server's Retry-After and RetryInfo", async () => {
    let clock = 1_000_000;
    const waits: number[] = [];
    const { fake, options } = client(
      [
        { status: 500 },
        { status: 503 },
        { status: 429, retryAfter: "3" },
        { status: 429, retryDelay: "1.5s" },
        { answer: ANSWER },
      ],
      {
        maxAttempts: 5,
        baseDelayMs: 100,
        random: () => 0.999_999,
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
        deadline: 1_000_000 + 60_000,
      },
    );
    const result = await generateAnalysis(REQUEST, options);
    expect(result.ok).toBe(true);
    expect(fake.requests).toHaveLength(5);
    expect(waits).toEqual([100, 200, 3000, 1500]);
  });

  it("gives up after maxAttempts with llm_unavailable", async () => {
    const { fake, options } = client({ status: 500 }, { maxAttempts: 3 });
    expect(await generateAnalysis(REQUEST, options)).toEqual({
      ok: false,
      error: "llm_unavailable",
    });
    expect(fake.requests).toHaveLength(3);
  });

  it.each([400, 401, 403, 404])(
    "does not retry %d: llm_rejected after one request",
    async (status) => {
      const { fake, options } = client([{ status }, { answer: ANSWER }]);
      expect(await generateAnalysis(REQUEST, options)).toEqual({
        ok: false,
        error: "llm_rejected",
      });
      expect(fake.requests).toHaveLength(1);
    },
  );

  it("a wrong API key is the real API's 400: llm_rejected", async () => {
    const { fake, options } = client({ answer: ANSWER }, { apiKey: "wrong-key" });
    expect(await generateAnalysis(REQUEST, options)).toEqual({ ok: false, error: "llm_rejected" });
    expect(fake.requests).toHaveLength(1);
  });

  it("stops retrying when the next try would pass the deadline", async () => {
    const started = Date.now();
    // Delays of 200, 400, 800 ms (jitter pinned to its top): tries at about 0, 200 and 600 ms;
    // the next would come at 1400, past the deadline, so it gives up early instead of waiting.
    const { fake, options } = client(
      { status: 503 },
      {
        maxAttempts: 50,
        baseDelayMs: 200,
        random: () => 0.999,
        deadline: started + 1000,
      },
    );
    expect(await generateAnalysis(REQUEST, options)).toEqual({
      ok: false,
      error: "llm_unavailable",
    });
    expect(Date.now()).toBeLessThan(started + 1000);
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    expect(fake.requests.length).toBeLessThan(5);
  });

  it("does not wait out a Retry-After that ends after the deadline", async () => {
    const started = Date.now();
    const { fake, options } = client([{ status: 429, retryAfter: "30" }, { answer: ANSWER }], {
      deadline: started + 5000,
    });
    expect(await generateAnalysis(REQUEST, options)).toEqual({
      ok: false,
      error: "llm_unavailable",
    });
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("cuts a request off at the deadline: analysis_timeout", async () => {
    const started = Date.now();
    const { fake, options } = client({ hang: true }, { deadline: started + 100 });
    expect(await generateAnalysis(REQUEST, options)).toEqual({
      ok: false,
      error: "analysis_timeout",
    });
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("does not start when the deadline has already passed", async () => {
    const { fake, options } = client({ answer: ANSWER }, { deadline: Date.now() - 1 });
    expect(await generateAnalysis(REQUEST, options)).toEqual({
      ok: false,
      error: "analysis_timeout",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("retries a hung attempt and a dropped connection", async () => {
    const { fake, options } = client(
      [{ hang: true }, { networkError: "Network connection lost." }, { answer: ANSWER }],
      { attemptTimeoutMs: 50 },
    );
    expect(await generateAnalysis(REQUEST, options)).toEqual({ ok: true, value: ANSWER });
    expect(fake.requests).toHaveLength(3);
  });

  it.each([
    ["text that is not JSON", { text: "Sure! Here is the analysis: booked." }],
    ["truncated JSON", { text: '{"summary": "The contact conf', finishReason: "MAX_TOKENS" }],
    ["an empty answer", { text: "" }],
  ])("%s is malformed_answer, without a retry", async (_why, step) => {
    const { fake, options } = client([step, { answer: ANSWER }]);
    expect(await generateAnalysis(REQUEST, options)).toEqual({
      ok: false,
      error: "malformed_answer",
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("accepts a fenced JSON answer", async () => {
    const { options } = client({ text: `\`\`\`json\n${JSON.stringify(ANSWER)}\n\`\`\`` });
    expect(await generateAnalysis(REQUEST, options)).toEqual({ ok: true, value: ANSWER });
  });

  it("a blocked prompt or a safety stop is llm_rejected", async () => {
    const blocked = client({ blocked: "SAFETY" });
    expect(await generateAnalysis(REQUEST, blocked.options)).toEqual({
      ok: false,
      error: "llm_rejected",
    });
    const stopped = client({ text: "", finishReason: "SAFETY" });
    expect(await generateAnalysis(REQUEST, stopped.options)).toEqual({
      ok: false,
      error: "llm_rejected",
    });
  });
});

describe("analyzeCall with the fake Gemini", () => {
  const input = {
    status: "completed" as const,
    error: null,
    objective: OBJECTIVE,
    fields: FIELDS,
    lines: LINES,
  };

  it("fails then succeeds: typed values, each cited at a real transcript line", async () => {
    const { fake, options } = client([{ status: 503 }, { answer: ANSWER }]);
    const r = await analyzeCall(input, { mode: "gemini", gemini: options });
    expect(fake.requests).toHaveLength(2);
    expect(r.analysisError).toBeNull();
    expect(r.summary).toBe(ANSWER.summary);
    expect(r.extracted).toEqual(ANSWER.fields);
    for (const [name, index] of Object.entries(ANSWER.evidence)) {
      const line = LINES[index];
      expect(r.extractedEvidence?.[name]).toEqual({ line: index, ...line });
    }
  });

  it("validates what the LLM said: coerces '249', drops extras, nulls misfits", async () => {
    const { options } = client({
      answer: {
        summary: "Confirmed.",
        fields: { confirmed: "TRUE", amount: "249", next_steps: 3, invented: "x" },
        evidence: { confirmed: 1, amount: 9, next_steps: 3 },
      },
    });
    const r = await analyzeCall(input, { mode: "gemini", gemini: options });
    expect(r.extracted).toEqual({ confirmed: true, amount: 249, next_steps: "3" });
    expect(r.extractedEvidence?.confirmed?.line).toBe(1);
    expect(r.extractedEvidence?.amount).toBeNull();
  });

  it.each([
    ["malformed_answer", { text: "not json" }],
    ["malformed_answer", { answer: { fields: ANSWER.fields } }],
    ["llm_rejected", { status: 400 }],
    ["llm_unavailable", { status: 503 }],
  ] as const)("on %s the call has no analysis and says why", async (token, step) => {
    const { options } = client(step, { maxAttempts: 2 });
    expect(await analyzeCall(input, { mode: "gemini", gemini: options })).toEqual({
      summary: null,
      extracted: null,
      extractedEvidence: null,
      analysisError: token,
    });
  });

  it("the fake can answer from the request, like the simulator does", async () => {
    const { fake, options } = client(() => ({ answer: simulatedAnswer(OBJECTIVE, FIELDS, LINES) }));
    const r = await analyzeCall(input, { mode: "gemini", gemini: options });
    expect(fake.requests).toHaveLength(1);
    expect(r.extracted).toEqual({ confirmed: true, amount: 249, next_steps: null });
    expect(r.extractedEvidence?.amount?.text).toBe(LINES[1]?.text);
  });
});
