/**
 * The call's language: explicit, auto, or inferred from objective + context. Pure.
 *
 * Inference uses franc (trigram language identification) restricted to the languages the voice
 * models speak, then attaches a region: the destination's region when the language is spoken
 * there (English to a GB number → en-GB), else the language's home region (Russian → ru-RU).
 */
import { francAll } from "franc";
import { err, ok, type Result } from "../lib/result";
import type { LanguageSource } from "./call-params";

export type ResolvedLanguage = { language: string; languageSource: LanguageSource };

/** franc's ISO 639-3 code → BCP-47 primary subtag and the region used when the destination's is not a fit. */
const SUPPORTED: Record<string, { tag: string; home: string }> = {
  eng: { tag: "en", home: "US" },
  spa: { tag: "es", home: "ES" },
  fra: { tag: "fr", home: "FR" },
  deu: { tag: "de", home: "DE" },
  ita: { tag: "it", home: "IT" },
  por: { tag: "pt", home: "BR" },
  nld: { tag: "nl", home: "NL" },
  pol: { tag: "pl", home: "PL" },
  rus: { tag: "ru", home: "RU" },
  ukr: { tag: "uk", home: "UA" },
  heb: { tag: "he", home: "IL" },
  arb: { tag: "ar", home: "EG" },
  tur: { tag: "tr", home: "TR" },
  hin: { tag: "hi", home: "IN" },
  jpn: { tag: "ja", home: "JP" },
  kor: { tag: "ko", home: "KR" },
  cmn: { tag: "zh", home: "CN" },
  vie: { tag: "vi", home: "VN" },
  tha: { tag: "th", home: "TH" },
  ind: { tag: "id", home: "ID" },
};
const ONLY = Object.keys(SUPPORTED);

/** Languages commonly spoken in each allowed destination region (those get the region's tag). */
const REGION_LANGUAGES: Record<string, readonly string[]> = {
  US: ["en", "es"],
  CA: ["en", "fr"],
  GB: ["en"],
  AU: ["en"],
  NZ: ["en"],
  IL: ["he", "ar"],
};

/** Fewer letters than this and trigram statistics mean little. */
const MIN_LETTERS = 10;
/**
 * franc scores the best language 1 and the rest relative to it. A runner-up at 0.85 or more
 * (Russian vs Ukrainian, "Confirm appointment" as French vs English) means it cannot tell.
 */
const MAX_RUNNER_UP_SCORE = 0.85;

export function detectLanguage(text: string): string | undefined {
  const letters = text.replace(/[^\p{L}]/gu, "");
  if (letters.length < MIN_LETTERS) return undefined;
  const [best, second] = francAll(text, { only: ONLY, minLength: MIN_LETTERS });
  if (!best || best[0] === "und") return undefined;
  if (second && second[1] >= MAX_RUNNER_UP_SCORE) {
    const cyrillic = new Set([best[0], second[0]]);
    return cyrillic.has("rus") && cyrillic.has("ukr") ? russianOrUkrainian(letters) : undefined;
  }
  return SUPPORTED[best[0]]?.tag;
}

/**
 * Trigrams barely separate Russian from Ukrainian; their alphabets do. ы э ъ ё are Russian only,
 * і ї є ґ Ukrainian only. Text with letters of one set and none of the other is decided.
 */
function russianOrUkrainian(letters: string): string | undefined {
  const russian = /[ыэъё]/iu.test(letters);
  const ukrainian = /[іїєґ]/iu.test(letters);
  if (russian === ukrainian) return undefined;
  return russian ? "ru" : "uk";
}

function withRegion(tag: string, destinationRegion: string): string {
  const spokenThere = REGION_LANGUAGES[destinationRegion]?.includes(tag) ?? false;
  if (spokenThere) return `${tag}-${destinationRegion}`;
  const home = Object.values(SUPPORTED).find((s) => s.tag === tag)?.home;
  return home ? `${tag}-${home}` : tag;
}

/** A well-formed BCP-47 tag in canonical case (en-us → en-US), or an error. */
export function canonicalLanguageTag(value: string): Result<string, "invalid_language"> {
  if (value.length < 2 || value.length > 35 || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(value)) {
    return err("invalid_language");
  }
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    return canonical ? ok(canonical) : err("invalid_language");
  } catch {
    return err("invalid_language");
  }
}

export function resolveLanguage(
  requested: string | undefined,
  objective: string,
  context: string | undefined,
  destinationRegion: string,
): Result<ResolvedLanguage, "invalid_language"> {
  if (requested !== undefined) {
    if (requested.toLowerCase() === "auto") return ok({ language: "auto", languageSource: "auto" });
    const tag = canonicalLanguageTag(requested);
    return tag.ok ? ok({ language: tag.value, languageSource: "explicit" }) : tag;
  }
  const detected = detectLanguage(context ? `${objective}\n${context}` : objective);
  if (!detected) return ok({ language: "auto", languageSource: "auto" });
  return ok({ language: withRegion(detected, destinationRegion), languageSource: "inferred" });
}
