import { describe, expect, it } from "vitest";
import { analyzeCall } from "../../src/analysis/analyze";
import { outcomeSummary } from "../../src/analysis/outcome-summary";
import {
  analysisJsonSchema,
  buildAnalysisRequest,
  type JsonSchema,
} from "../../src/analysis/schema";
import { simulatedAnswer } from "../../src/analysis/simulated-analysis";
import { coerceValue, losslessNumber, validateAnalysis } from "../../src/analysis/validate";
import type { FieldSpec } from "../../src/domain/call-schemas";
import {
  formatOffset,
  formatTranscript,
  numberedTranscript,
  type TranscriptLine,
} from "../../src/domain/transcript";
import { SIMULATED_RECIPIENT_LINE } from "../../src/voice/simulator/simulated-model";
import { fakeGeminiFetch } from "../fakes/fake-gemini";

const OBJECTIVE = "Book a table for 4 at 7 PM Friday. Confirm the time and ask for their name.";

const FIELDS: FieldSpec[] = [
  { name: "booked", type: "boolean", description: "Did they confirm the booking?" },
  { name: "confirmed_time", type: "string", description: "The time they confirmed" },
  { name: "contact_name", type: "string", description: "Name given for the reservation" },
  { name: "amount", type: "number", description: "Price quoted in USD" },
];

/** The simulator's canned conversation, as the bridge records it. */
const LINES: TranscriptLine[] = [
  {
    speaker: "agent",
    text: `Hello, this is an AI assistant calling on behalf of a client. ${OBJECTIVE}`,
    offsetMs: 1200,
  },
  { speaker: "recipient", text: SIMULATED_RECIPIENT_LINE, offsetMs: 6400 },
  {
    speaker: "agent",
    text: "Wonderful, thank you very much for your help. Goodbye!",
    offsetMs: 11_050,
  },
];

const GOOD = {
  summary: "The restaurant booked a table for 4 at 7 PM Friday under Smith.",
  fields: { booked: true, confirmed_time: "7 PM", contact_name: "Smith", amount: 249 },
  evidence: { booked: 1, confirmed_time: 1, contact_name: 1, amount: 1 },
};

function valid(raw: unknown, fields: FieldSpec[] = FIELDS, lines: TranscriptLine[] = LINES) {
  const result = validateAnalysis(raw, fields, lines);
  if (!result.ok) throw new Error(`expected a valid analysis, got ${result.error}`);
  return result.value;
}

describe("transcript", () => {
  it.each([
    [0, "00:00.0"],
    [3249, "00:03.2"],
    [59_999, "00:59.9"],
    [61_000, "01:01.0"],
    [600_000, "10:00.0"],
    [-5, "00:00.0"],
    [Number.NaN, "00:00.0"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatOffset(ms)).toBe(text);
  });

  it("writes one text line per entry, so line i of the transcript is entry i", () => {
    const lines: TranscriptLine[] = [
      { speaker: "agent", text: "Hello…", offsetMs: 3200 },
      { speaker: "recipient", text: "Two\nlines\r\nhere", offsetMs: 5000 },
      { speaker: "agent", text: "Bye", offsetMs: 65_432 },
    ];
    const text = formatTranscript(lines);
    expect(text).toBe(
      "[00:03.2] agent: Hello…\n[00:05.0] recipient: Two lines here\n[01:05.4] agent: Bye",
    );
    expect(text.split("\n")).toHaveLength(lines.length);
    expect(numberedTranscript(lines).split("\n")[1]).toBe("1 [00:05.0] recipient: Two lines here");
    expect(formatTranscript([])).toBe("");
  });
});

/** Keywords responseJsonSchema accepts (protocols.md C). */
const ALLOWED = new Set([
  "$id",
  "$defs",
  "$ref",
  "$anchor",
  "type",
  "format",
  "title",
  "description",
  "enum",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "anyOf",
  "oneOf",
  "properties",
  "additionalProperties",
  "required",
  "propertyOrdering",
]);

function keywords(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const s of schema) keywords(s, out);
  } else if (typeof schema === "object" && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      out.add(key);
      if (key === "properties") {
        for (const sub of Object.values(value as object)) keywords(sub, out);
      } else if (key === "anyOf" || key === "items") keywords(value, out);
    }
  }
  return out;
}

describe("analysisJsonSchema", () => {
  const schema = analysisJsonSchema(FIELDS, LINES.length);
  const props = schema.properties as Record<string, JsonSchema>;
  const fieldProps = (props.fields as { properties: Record<string, JsonSchema> }).properties;
  const evidenceProps = (props.evidence as { properties: Record<string, JsonSchema> }).properties;

  it.each([
    ["booked", "boolean"],
    ["confirmed_time", "string"],
    ["contact_name", "string"],
    ["amount", "number"],
  ])("declares %s as %s or null, with its description", (name, type) => {
    expect(fieldProps[name]).toEqual({
      anyOf: [{ type }, { type: "null" }],
      description: expect.stringContaining(`(${type}). null if the conversation did not state it.`),
    });
  });

  it("carries the caller's description, or one made from the name", () => {
    expect(fieldProps.amount?.description).toMatch(/^Price quoted in USD/);
    const bare = analysisJsonSchema([{ name: "next_steps", type: "string" }]);
    const p = (bare.properties as Record<string, { properties: Record<string, JsonSchema> }>)
      .fields;
    expect(p?.properties.next_steps?.description).toMatch(/^The next steps \(string\)/);
  });

  it("requires summary, every field and every evidence entry", () => {
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(["summary", "fields", "evidence"]);
    expect(props.summary).toMatchObject({ type: "string" });
    const names = FIELDS.map((f) => f.name);
    expect(props.fields).toMatchObject({ type: "object", required: names });
    expect(props.evidence).toMatchObject({ type: "object", required: names });
    expect(Object.keys(fieldProps)).toEqual(names);
  });

  it("bounds evidence to the transcript's line indexes", () => {
    expect(evidenceProps.booked).toMatchObject({
      anyOf: [{ type: "integer", minimum: 0, maximum: 2 }, { type: "null" }],
    });
    const unbounded = analysisJsonSchema(FIELDS);
    const ev = (unbounded.properties as Record<string, { properties: Record<string, JsonSchema> }>)
      .evidence;
    expect(ev?.properties.booked).toMatchObject({ anyOf: [{ type: "integer" }, { type: "null" }] });
  });

  it("uses only keywords responseJsonSchema supports", () => {
    for (const key of keywords(schema)) {
      // property names (the fields') are keys too; skip them
      if (!FIELDS.some((f) => f.name === key) && !["summary", "fields", "evidence"].includes(key))
        expect(ALLOWED).toContain(key);
    }
  });

  it("asks for a summary only when there are no fields", () => {
    expect(analysisJsonSchema([])).toEqual({
      type: "object",
      properties: { summary: expect.objectContaining({ type: "string" }) },
      required: ["summary"],
    });
  });

  it("keeps odd field names as ordinary keys", () => {
    const s = analysisJsonSchema([{ name: "__proto__", type: "number" }]);
    const p = (s.properties as Record<string, { properties: object }>).fields?.properties;
    expect(Object.keys(p ?? {})).toEqual(["__proto__"]);
  });
});

describe("buildAnalysisRequest", () => {
  const request = buildAnalysisRequest({
    objective: OBJECTIVE,
    fields: FIELDS,
    status: "completed",
    lines: LINES,
  });

  it("is a generateContent body in JSON mode with the fields' schema", () => {
    expect(request.generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: analysisJsonSchema(FIELDS, LINES.length),
    });
    expect(request.contents).toHaveLength(1);
    expect(request.contents[0]?.role).toBe("user");
  });

  it("sends the objective, the fields and the numbered transcript", () => {
    const text = request.contents[0]?.parts[0]?.text ?? "";
    expect(text).toContain(`Objective of the call: ${OBJECTIVE}`);
    expect(text).toContain("- amount (number): Price quoted in USD");
    expect(text).toContain(`1 [00:06.4] recipient: ${SIMULATED_RECIPIENT_LINE}`);
    expect(text).toContain("2 [00:11.0] agent: Wonderful");
  });

  it("tells the model to summarise, never guess, use null and cite line indexes", () => {
    const rules = request.systemInstruction.parts[0]?.text ?? "";
    expect(rules).toMatch(/2 to 4 plain-English sentences/);
    expect(rules).toMatch(/relative to its objective/);
    expect(rules).toMatch(/only if it was stated in the conversation/);
    expect(rules).toMatch(/use null/);
    expect(rules).toMatch(/Never guess/);
    expect(rules).toMatch(/index of the transcript line/);
  });
});

describe("validateAnalysis", () => {
  it("accepts a good answer and cites real transcript lines", () => {
    const a = valid(GOOD);
    expect(a.summary).toBe(GOOD.summary);
    expect(a.extracted).toEqual(GOOD.fields);
    expect(a.evidence.amount).toEqual({
      line: 1,
      speaker: "recipient",
      text: SIMULATED_RECIPIENT_LINE,
      offsetMs: 6400,
    });
    expect(formatTranscript(LINES).split("\n")[a.evidence.amount?.line ?? -1]).toContain(
      "249 dollars",
    );
  });

  it.each([
    ["not an object", "just text"],
    ["an array", [GOOD]],
    ["null", null],
    ["no summary", { fields: GOOD.fields, evidence: GOOD.evidence }],
    ["a blank summary", { ...GOOD, summary: "   " }],
    ["a summary that is not a string", { ...GOOD, summary: 42 }],
    ["no fields object", { summary: "ok", evidence: GOOD.evidence }],
    ["fields as an array", { ...GOOD, fields: [true, "7 PM"] }],
  ])("rejects a malformed answer: %s", (_why, raw) => {
    expect(validateAnalysis(raw, FIELDS, LINES)).toEqual({ ok: false, error: "malformed_answer" });
  });

  it("fills fields the answer left out with null (partial answer)", () => {
    const a = valid({ summary: "Partial.", fields: { booked: true }, evidence: { booked: 1 } });
    expect(a.extracted).toEqual({
      booked: true,
      confirmed_time: null,
      contact_name: null,
      amount: null,
    });
    expect(a.evidence).toEqual({
      booked: expect.objectContaining({ line: 1 }),
      confirmed_time: null,
      contact_name: null,
      amount: null,
    });
  });

  it("drops keys nobody asked for", () => {
    const a = valid({
      ...GOOD,
      fields: { ...GOOD.fields, party_size: 4, secret: "x" },
      evidence: { ...GOOD.evidence, party_size: 1 },
      extra: true,
    });
    expect(Object.keys(a.extracted)).toEqual(FIELDS.map((f) => f.name));
    expect(Object.keys(a.evidence)).toEqual(FIELDS.map((f) => f.name));
    expect(a).not.toHaveProperty("extra");
  });

  it("nulls wrongly typed values, one field at a time", () => {
    const a = valid({
      summary: "Wrong types.",
      fields: {
        booked: "yes",
        confirmed_time: true,
        contact_name: { first: "Jo" },
        amount: "$249",
      },
      evidence: GOOD.evidence,
    });
    expect(a.extracted).toEqual({
      booked: null,
      confirmed_time: null,
      contact_name: null,
      amount: null,
    });
    expect(Object.values(a.evidence)).toEqual([null, null, null, null]);
  });

  it("does not need fields or evidence when none were requested", () => {
    expect(valid({ summary: "Just a chat." }, [])).toEqual({
      summary: "Just a chat.",
      extracted: {},
      evidence: {},
    });
  });

  it("never reads inherited properties for odd field names", () => {
    const fields: FieldSpec[] = [
      { name: "constructor", type: "string" },
      { name: "toString", type: "string" },
    ];
    const a = valid({ summary: "x", fields: {}, evidence: {} }, fields);
    expect(a.extracted).toEqual({ constructor: null, toString: null });
  });
});

describe("lossless coercion", () => {
  it.each([
    ["249", 249],
    ["249.50", 249.5],
    [" 249 ", 249],
    ["-3", -3],
    ["+7", 7],
    [".5", 0.5],
    ["007", 7],
    ["123456789012345", 123_456_789_012_345],
    ["1e3", null],
    ["1,000", null],
    ["$249", null],
    ["249 dollars", null],
    ["about 250", null],
    ["", null],
    ["1234567890123456789", null],
    ["Infinity", null],
  ])("number ← %j is %j", (input, expected) => {
    expect(losslessNumber(input)).toBe(expected);
    expect(coerceValue("number", input)).toBe(expected);
  });

  it.each([
    ["number", 249, 249],
    ["number", 2.5, 2.5],
    ["number", true, null],
    ["number", [249], null],
    ["number", null, null],
    ["boolean", true, true],
    ["boolean", false, false],
    ["boolean", "true", true],
    ["boolean", "FALSE", false],
    ["boolean", " True ", true],
    ["boolean", "yes", null],
    ["boolean", 1, null],
    ["boolean", 0, null],
    ["boolean", null, null],
    ["string", "7 PM", "7 PM"],
    ["string", "  Smith ", "Smith"],
    ["string", 249, "249"],
    ["string", false, null],
    ["string", "", null],
    ["string", "N/A", null],
    ["string", "unknown", null],
    ["string", "Not mentioned", null],
    ["string", ["a"], null],
    ["string", undefined, null],
  ] as const)("%s ← %j is %j", (type, input, expected) => {
    expect(coerceValue(type, input)).toBe(expected);
  });
});

describe("evidence", () => {
  const one: FieldSpec[] = [{ name: "amount", type: "number" }];
  const cite = (index: unknown, value: unknown = 249) =>
    valid({ summary: "x", fields: { amount: value }, evidence: { amount: index } }, one);

  it.each([
    [0, 0],
    [2, 2],
    ["1", 1],
  ])("cites line %j", (index, line) => {
    const a = cite(index);
    expect(a.evidence.amount).toEqual({
      line,
      speaker: LINES[line]?.speaker,
      text: LINES[line]?.text,
      offsetMs: LINES[line]?.offsetMs,
    });
  });

  it.each([
    [3, "past the last line"],
    [-1, "negative"],
    [1.5, "not an integer"],
    ["one", "not a number"],
    [null, "null"],
    [undefined, "missing"],
  ] as [unknown, string][])("keeps the value but drops a citation %j (%s)", (index) => {
    const a = cite(index);
    expect(a.extracted.amount).toBe(249);
    expect(a.evidence.amount).toBeNull();
  });

  it("never cites a line for a null value", () => {
    expect(cite(1, null).evidence.amount).toBeNull();
    expect(cite(1, "about 250").evidence.amount).toBeNull();
  });

  it("tolerates evidence that is not an object", () => {
    const a = valid({ ...GOOD, evidence: "line 1" });
    expect(a.extracted).toEqual(GOOD.fields);
    expect(Object.values(a.evidence)).toEqual([null, null, null, null]);
  });
});

describe("simulated analysis", () => {
  it("gives the canned conversation real values, each cited at the recipient's line", () => {
    const a = valid(simulatedAnswer(OBJECTIVE, FIELDS, LINES));
    expect(a.extracted).toEqual({
      booked: true,
      confirmed_time: "7 PM",
      contact_name: "Smith",
      amount: 249,
    });
    for (const name of Object.keys(a.extracted)) {
      expect(a.evidence[name]).toEqual({
        line: 1,
        speaker: "recipient",
        text: SIMULATED_RECIPIENT_LINE,
        offsetMs: 6400,
      });
    }
    expect(a.summary).toBe(
      `The AI called about: Book a table for 4 at 7 PM Friday. Confirm the time and ask for their name. The recipient said: "${SIMULATED_RECIPIENT_LINE}"`,
    );
  });

  it("picks by the field's meaning, and leaves what was not said null", () => {
    const fields: FieldSpec[] = [
      { name: "party_size", type: "number" },
      { name: "deposit", type: "number" },
      { name: "booking_day", type: "string" },
      { name: "next_steps", type: "string" },
      { name: "callback_number", type: "number", description: "Phone extension" },
    ];
    const a = valid(simulatedAnswer(OBJECTIVE, fields, LINES), fields);
    expect(a.extracted).toEqual({
      party_size: 4,
      deposit: 249,
      booking_day: "Friday",
      next_steps: null,
      callback_number: 4,
    });
    expect(a.evidence.next_steps).toBeNull();
  });

  it("reads a refusal as false, and 'no problem' as yes", () => {
    const field: FieldSpec[] = [{ name: "booked", type: "boolean" }];
    const said = (text: string) =>
      valid(
        simulatedAnswer("Book", field, [
          { speaker: "agent", text: "Can you book it?", offsetMs: 0 },
          { speaker: "recipient", text, offsetMs: 1000 },
        ]),
        field,
      ).extracted.booked;
    expect(said("Sorry, we are fully booked on Friday.")).toBe(false);
    expect(said("No problem, done.")).toBe(true);
    expect(said("Let me check with the manager.")).toBeNull();
  });

  it("uses only the recipient's words, and says so when there were none", () => {
    const lines: TranscriptLine[] = [
      { speaker: "agent", text: "Hello? Yes, 249, Smith.", offsetMs: 0 },
    ];
    const a = valid(simulatedAnswer(OBJECTIVE, FIELDS, lines), FIELDS, lines);
    expect(Object.values(a.extracted)).toEqual([null, null, null, null]);
    expect(a.summary).toMatch(/The recipient did not say anything\.$/);
  });
});

describe("outcome summaries", () => {
  it.each([
    ["voicemail", null, false, /reached voicemail/],
    ["no_answer", null, false, /not answered/],
    ["declined", null, false, /declined the call/],
    ["failed", "placement_failed", false, /failed because the carrier could not place it/],
    ["failed", "model_lost", true, /answered but ended early because the connection to the voice/],
    ["failed", "something_new", false, /failed because of a technical failure/],
    ["failed", null, false, /failed because of a technical failure/],
  ] as const)("%s (%s)", (status, error, answered, text) => {
    const summary = outcomeSummary(status, error, answered);
    expect(summary).toMatch(text);
    expect(summary).toMatch(/nothing was extracted\.$/);
  });
});

describe("analyzeCall", () => {
  const base = { objective: OBJECTIVE, fields: FIELDS, error: null, lines: LINES };

  it.each(["voicemail", "no_answer", "declined", "failed"] as const)(
    "%s: an outcome summary, every field present and null, and no LLM call",
    async (status) => {
      const fake = fakeGeminiFetch({ answer: GOOD });
      const gemini = { baseUrl: "https://gemini.test", apiKey: "k", model: "m", fetch: fake };
      const r = await analyzeCall(
        { ...base, status, lines: [] },
        { mode: "gemini", gemini: { ...gemini, deadline: Date.now() + 5000 } },
      );
      expect(r.summary).toBe(outcomeSummary(status, null, false));
      expect(r.extracted).toEqual({
        booked: null,
        confirmed_time: null,
        contact_name: null,
        amount: null,
      });
      expect(r.extractedEvidence).toEqual(r.extracted);
      expect(r.analysisError).toBeNull();
      expect(fake.requests).toHaveLength(0);
    },
  );

  it("a completed call with nothing said", async () => {
    const r = await analyzeCall({ ...base, status: "completed", lines: [] }, { mode: "simulator" });
    expect(r.summary).toBe("The call connected but nothing was said.");
    expect(Object.values(r.extracted ?? { x: 1 })).toEqual([null, null, null, null]);
    expect(r.analysisError).toBeNull();
  });

  it("the simulator's analysis of a completed call", async () => {
    const r = await analyzeCall({ ...base, status: "completed" }, { mode: "simulator" });
    expect(r.extracted).toEqual({
      booked: true,
      confirmed_time: "7 PM",
      contact_name: "Smith",
      amount: 249,
    });
    expect(r.extractedEvidence?.contact_name?.line).toBe(1);
    expect(r.analysisError).toBeNull();
  });

  it("a call with no fields still gets a summary", async () => {
    const r = await analyzeCall(
      { ...base, fields: [], status: "completed" },
      { mode: "simulator" },
    );
    expect(r.summary).toMatch(/^The AI called about/);
    expect(r.extracted).toEqual({});
    expect(r.extractedEvidence).toEqual({});
  });
});
