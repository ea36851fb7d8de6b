/**
 * The simulator's stand-in for the analysis LLM: deterministic rules over what the recipient
 * said, so the local default and the tests show real values. It answers in the LLM's shape
 * (`{ summary, fields, evidence }`) and goes through the same validation as a real answer.
 *
 * Rules, over recipient lines in order (the first line that yields a value wins, and is cited):
 * - boolean: on a line that mentions the field (a word of its name), the earliest affirmative ("yes", "sure", "booked", "confirmed", "no problem" …) or
 *   negative ("no", "not", "cannot", "unfortunately", "fully booked" …) word; a tie goes to the
 *   affirmative, so "no problem" is a yes.
 * - number: numbers that are not times ("7 PM", "7:30"); money ("$249", "249 dollars") first when
 *   the field's name or description is about money, then numbers near a word of the field's name,
 *   else the first.
 * - string: by the field's name: `…name…` → the capitalised word(s) after "name is", "under the
 *   name", "this is" …; `…time…` → a time ("7 PM", "7:30", "noon"); `…date…` / `…day…` → a day
 *   ("Friday", "tomorrow"); any other string field → null.
 */
import type { FieldSpec } from "../domain/call-schemas";
import type { TranscriptLine } from "../domain/transcript";

export type RawAnswer = {
  summary: string;
  fields: Record<string, string | number | boolean | null>;
  evidence: Record<string, number | null>;
};

type Hit = { value: string | number | boolean; line: number };

const AFFIRM =
  /\b(?:yes|yeah|yep|sure|certainly|absolutely|of course|confirmed|confirm|booked|reserved|done|no problem|that works|will do)\b/i;
const NEGATE =
  /\b(?:no|nope|not|cannot|can't|unable|unfortunately|sorry|declined?|fully booked)\b/i;
const TIME = /\b(?:\d{1,2}(?::\d{2})?\s*[ap]\.?m\b\.?|\d{1,2}:\d{2}\b|noon\b|midnight\b)/i;
const DAY =
  /\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|tonight)\b/i;
const NAME_INTRO =
  /\b(?:under the name(?: of)?|in the name of|my name is|name is|name's|under|this is|it's)\s+([^\s.,;:!?]+)(?:\s+([^\s.,;:!?]+))?/gi;
const NOT_NAMES = new Set(["I", "The", "A", "An", "We", "It", "That", "This"]);
const MONEY_FIELD = /amount|price|cost|fee|deposit|total|pay|charge|usd|dollar|money|\$/i;
const MONEY_AFTER = /^\s*(?:dollars?|bucks|usd|euros?|pounds?|cents?)\b/i;
const TIME_AFTER = /^(?::\d{2})?\s*(?:[ap]\.?m\b|o'clock)/i;

/** "contact_name" → ["contact", "name"]; "confirmedTime" → ["confirmed", "time"]. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * A yes or no answers a boolean field only where it is about it: the line, or the agent's line it
 * answers, has a word of the field's name by its first four letters ("booked" ~ "book…").
 * Otherwise the field was not said.
 */
function mentions(text: string, field: FieldSpec): boolean {
  const lower = text.toLowerCase();
  return nameWords(field.name).some((w) => w.length >= 4 && lower.includes(w.slice(0, 4)));
}

function yesNo(text: string): boolean | null {
  const yes = AFFIRM.exec(text)?.index;
  const no = NEGATE.exec(text)?.index;
  if (yes === undefined && no === undefined) return null;
  if (no === undefined) return true;
  if (yes === undefined) return false;
  return yes <= no;
}

type NumberHit = { value: number; score: number };

function numbersIn(text: string, field: FieldSpec): NumberHit[] {
  const wantsMoney = MONEY_FIELD.test(`${field.name} ${field.description ?? ""}`);
  const words = nameWords(field.name).filter((w) => w.length >= 3);
  const hits: NumberHit[] = [];
  for (const m of text.matchAll(/\d+(?:\.\d+)?/g)) {
    const start = m.index;
    const end = start + m[0].length;
    const before = text.slice(Math.max(0, start - 1), start);
    const after = text.slice(end, end + 16);
    if (before === ":" || TIME_AFTER.test(after)) continue;
    const money = /[$£€]/.test(before) || MONEY_AFTER.test(after);
    const near = text.slice(Math.max(0, start - 30), end + 30).toLowerCase();
    const named = words.some((w) => near.includes(w));
    hits.push({ value: Number(m[0]), score: (wantsMoney && money ? 2 : 0) + (named ? 1 : 0) });
  }
  return hits;
}

function personName(text: string): string | null {
  for (const m of text.matchAll(NAME_INTRO)) {
    const first = m[1];
    if (!first || !/^\p{Lu}/u.test(first) || NOT_NAMES.has(first)) continue;
    const second = m[2];
    return second && /^\p{Lu}/u.test(second) ? `${first} ${second}` : first;
  }
  return null;
}

function stringIn(text: string, field: FieldSpec): string | null {
  const words = nameWords(field.name);
  if (words.includes("name")) return personName(text);
  if (words.includes("time")) return TIME.exec(text)?.[0].trim() ?? null;
  if (words.includes("date") || words.includes("day")) return DAY.exec(text)?.[0] ?? null;
  return null;
}

function findValue(
  field: FieldSpec,
  said: { text: string; line: number; asked: string }[],
): Hit | null {
  if (field.type === "number") {
    let best: (NumberHit & { line: number }) | null = null;
    for (const { text, line } of said) {
      for (const hit of numbersIn(text, field)) {
        if (!best || hit.score > best.score) best = { ...hit, line };
      }
    }
    return best && { value: best.value, line: best.line };
  }
  for (const { text, line, asked } of said) {
    const onTopic = mentions(text, field) || mentions(asked, field);
    const value = field.type === "boolean" ? (onTopic ? yesNo(text) : null) : stringIn(text, field);
    if (value !== null) return { value, line };
  }
  return null;
}

function shorten(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1).trimEnd()}…` : one;
}

/** The simulated LLM answer for a completed call. */
export function simulatedAnswer(
  objective: string,
  fields: readonly FieldSpec[],
  lines: readonly TranscriptLine[],
): RawAnswer {
  const said = lines
    .map((l, line) => {
      const before = lines[line - 1];
      return {
        text: l.text,
        line,
        speaker: l.speaker,
        asked: before?.speaker === "agent" ? before.text : "",
      };
    })
    .filter((l) => l.speaker === "recipient");
  const goal = shorten(objective, 200).replace(/[.!?\s]+$/, "");
  const first = said[0];
  const summary = first
    ? `The AI called about: ${goal}. The recipient said: "${shorten(first.text, 300)}"`
    : `The AI called about: ${goal}. The recipient did not say anything.`;
  const hits = fields.map((field) => [field.name, findValue(field, said)] as const);
  return {
    summary,
    fields: Object.fromEntries(hits.map(([name, hit]) => [name, hit?.value ?? null])),
    evidence: Object.fromEntries(hits.map(([name, hit]) => [name, hit?.line ?? null])),
  };
}
