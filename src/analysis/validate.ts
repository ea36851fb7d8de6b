/**
 * Turns an LLM's analysis answer into values users can trust. The answer's schema is only a
 * request to the model, so everything is checked again here, field by field, against the type the
 * caller declared.
 *
 * Rules (each value is checked on its own; one bad value never sinks the others):
 * - Every requested field is present in `extracted`; a missing one is `null`. Keys nobody asked
 *   for are dropped.
 * - Only lossless coercions:
 *   - number ← a string that is a plain decimal ("249", "-3", " 249.50 " → 249.5) with at most
 *     15 significant digits (every such decimal survives the trip through a double). Exponents
 *     ("1e3"), separators ("1,000"), units and currency ("$249", "249 dollars"), words ("about
 *     250") are prose in a number slot: `null`.
 *   - boolean ← the strings "true" / "false", any case, nothing else ("yes", 1, "Y" → `null`).
 *   - string ← a finite number (249 → "249"): the digits are what was said. A boolean in a string
 *     slot says nothing about the field's text: `null`.
 * - A string that is empty or a stand-in for "unknown" ("N/A", "none", "null", "not mentioned", …)
 *   is `null`: the model meant "not said".
 * - Anything else of the wrong type (objects, arrays, wrong primitives) is `null`.
 * - Evidence: an integer line index (or an integer string) within the transcript. A value whose
 *   citation is missing or out of range keeps its value with evidence `null`; a `null` value
 *   never has evidence.
 * - The answer as a whole is malformed (no analysis at all) when it is not an object, its summary
 *   is missing or blank, or fields were requested and `fields` is not an object: there is then
 *   nothing to tell "not said" from "not answered".
 */
import { z } from "zod";
import type { Evidence, EvidenceLine, Extracted, ExtractedValue } from "../domain/call-record";
import type { FieldSpec } from "../domain/call-schemas";
import type { TranscriptLine } from "../domain/transcript";
import { isJsonObject, type JsonObject } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import type { Analysis } from "./types";

const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** IEEE doubles round-trip every decimal of up to 15 significant digits. */
const MAX_SIGNIFICANT_DIGITS = 15;

/** A plain decimal string as a number, or null when that would not be exact. */
export function losslessNumber(text: string): number | null {
  const t = text.trim();
  if (!PLAIN_DECIMAL.test(t)) return null;
  const significant = t.replace(/^[+-]/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  if (significant.length > MAX_SIGNIFICANT_DIGITS) return null;
  return Number(t);
}

const NOT_SAID = new Set([
  "",
  "null",
  "none",
  "n/a",
  "na",
  "unknown",
  "not mentioned",
  "not stated",
  "not specified",
  "not provided",
  "not available",
]);

const fail = (ctx: z.RefinementCtx) => {
  ctx.addIssue({ code: "custom", message: "not lossless" });
  return z.NEVER;
};

const numberString = z.string().transform((s, ctx) => losslessNumber(s) ?? fail(ctx));

/** One zod schema per declared type; `.catch(null)` turns any misfit into "no value". */
const VALUE_SCHEMAS: Record<FieldSpec["type"], z.ZodType<ExtractedValue>> = {
  number: z.union([z.number(), numberString]).nullable().catch(null),
  boolean: z
    .union([
      z.boolean(),
      z
        .string()
        .trim()
        .toLowerCase()
        .pipe(z.enum(["true", "false"]))
        .transform((s) => s === "true"),
    ])
    .nullable()
    .catch(null),
  string: z
    .union([
      z
        .string()
        .trim()
        .transform((s) => (NOT_SAID.has(s.toLowerCase()) ? null : s)),
      z.number().transform(String),
    ])
    .nullable()
    .catch(null),
};

const LineIndexSchema = z
  .union([z.number().int(), z.string().trim().regex(/^\d+$/).transform(Number)])
  .nullable()
  .catch(null);

const SummarySchema = z.string().trim().min(1);

/** An own property only: a field named "constructor" must not read Object.prototype's. */
function own(obj: JsonObject | undefined, key: string): unknown {
  return obj && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The declared type's value, or null. */
export function coerceValue(type: FieldSpec["type"], raw: unknown): ExtractedValue {
  return VALUE_SCHEMAS[type].parse(raw);
}

function evidenceLine(raw: unknown, lines: readonly TranscriptLine[]): EvidenceLine | null {
  const index = LineIndexSchema.parse(raw);
  if (index === null) return null;
  const line = lines[index];
  if (!line) return null;
  return { line: index, speaker: line.speaker, text: line.text, offsetMs: line.offsetMs };
}

/** Validates a parsed LLM answer (`{ summary, fields, evidence }`) against the declared fields. */
export function validateAnalysis(
  raw: unknown,
  fields: readonly FieldSpec[],
  lines: readonly TranscriptLine[],
): Result<Analysis, "malformed_answer"> {
  if (!isJsonObject(raw)) return err("malformed_answer");
  const summary = SummarySchema.safeParse(own(raw, "summary"));
  if (!summary.success) return err("malformed_answer");
  const values = own(raw, "fields");
  if (fields.length > 0 && !isJsonObject(values)) return err("malformed_answer");
  const citations = own(raw, "evidence");
  const valueMap = isJsonObject(values) ? values : undefined;
  const citationMap = isJsonObject(citations) ? citations : undefined;

  const extracted: [string, ExtractedValue][] = [];
  const evidence: [string, EvidenceLine | null][] = [];
  for (const field of fields) {
    const value = coerceValue(field.type, own(valueMap, field.name));
    extracted.push([field.name, value]);
    evidence.push([
      field.name,
      value === null ? null : evidenceLine(own(citationMap, field.name), lines),
    ]);
  }
  // fromEntries defines own properties, so even a field named "__proto__" is an ordinary key.
  return ok({
    summary: summary.data,
    extracted: Object.fromEntries(extracted) as Extracted,
    evidence: Object.fromEntries(evidence) as Evidence,
  });
}

/** Every field present and null, with no evidence: for calls where nothing could be said. */
export function allNull(fields: readonly FieldSpec[]): {
  extracted: Extracted;
  evidence: Evidence;
} {
  return {
    extracted: Object.fromEntries(fields.map((f) => [f.name, null])) as Extracted,
    evidence: Object.fromEntries(fields.map((f) => [f.name, null])) as Evidence,
  };
}
