/**
 * AI disclosure: the agent's first sentence says it is an AI assistant, on whose behalf it calls
 * and, when the call is recorded, that it is recorded. Pure: the sentence the agent is told to
 * say, and the rule that checks the transcript's first agent line for it.
 *
 * Recognised (case-insensitive), in English, French, Spanish and German:
 * - an AI statement: "AI" or "artificial intelligence" (IA / KI / inteligencia artificial /
 *   intelligence artificielle / künstliche Intelligenz) together with assistant/agent/system
 *   (assistant(e), asistente, Assistent), or "virtual assistant";
 * - the on-behalf-of name, as given (whitespace and case folded);
 * - a recording statement: record/recorded/recording (enregistr…, grabad…/grabación,
 *   aufgezeichnet/aufgenommen/Aufzeichnung).
 */

/** Who the agent calls for when neither the request nor the account names anyone. */
export const FALLBACK_PRINCIPAL = "our client";

export type DisclosureFacts = { onBehalfOf: string; recorded: boolean };
export type Disclosure = { spoken: boolean; atMs: number | null };

/** The name the agent discloses: the request's, else the account's display name, else neutral. */
export function principalName(
  onBehalfOf: string | null | undefined,
  displayName: string | null | undefined,
): string {
  return onBehalfOf?.trim() || displayName?.trim() || FALLBACK_PRINCIPAL;
}

/** The first sentence the agent is instructed to say (in English; the model may translate it). */
export function disclosureSentence(facts: DisclosureFacts): string {
  const recorded = facts.recorded ? " This call is recorded." : "";
  return `Hello, this is an AI assistant calling on behalf of ${facts.onBehalfOf}.${recorded}`;
}

const AI_WORD = String.raw`(?:\b(?:AI|IA|KI|artificial intelligence|intelligence artificielle|inteligencia artificial|künstliche[nr]? Intelligenz)\b|\bA\.I\.)`;
const ROLE = String.raw`\b(?:assistant|assistante|asistente|assistent|agent|agente|system|système|sistema)`;
/** "AI … assistant" or "assistant … AI" within a few words, or "virtual assistant". */
const AI_STATEMENT = new RegExp(
  String.raw`${AI_WORD}[\s\S]{0,40}${ROLE}|${ROLE}[\s\S]{0,40}(?:${AI_WORD}|\bvirtuel|\bvirtual)|\bvirtual assistant`,
  "iu",
);
const RECORDING_STATEMENT =
  /\b(?:record(?:ed|ing)?|enregistr\p{L}*|grabad\p{L}*|grabación|aufgezeichnet|aufgenommen|aufzeichnung)/iu;

const fold = (s: string) => s.toLocaleLowerCase().replace(/\s+/g, " ").trim();

export type FirstLine = { speaker: "agent" | "recipient"; text: string; offsetMs: number };

/** Checks the transcript's first agent line; no agent line yet is `{ spoken: false, atMs: null }`. */
export function disclosureOf(lines: readonly FirstLine[], facts: DisclosureFacts): Disclosure {
  const first = lines.find((l) => l.speaker === "agent");
  if (!first) return { spoken: false, atMs: null };
  const spoken =
    AI_STATEMENT.test(first.text) &&
    fold(first.text).includes(fold(facts.onBehalfOf)) &&
    (!facts.recorded || RECORDING_STATEMENT.test(first.text));
  return { spoken, atMs: first.offsetMs };
}
