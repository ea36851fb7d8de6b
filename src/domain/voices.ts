/**
 * Voice catalogues per voice provider, and the request → key → platform default resolution.
 * Names are matched case-insensitively and returned in their canonical spelling.
 */
import { err, ok, type Result } from "../lib/result";

export type VoiceProvider = "gemini" | "openai" | "simulator";

/** Gemini Live prebuilt voices (protocols.md C). The simulator speaks as Gemini. */
const GEMINI_VOICES = [
  "Zephyr",
  "Puck",
  "Charon",
  "Kore",
  "Fenrir",
  "Leda",
  "Orus",
  "Aoede",
  "Callirrhoe",
  "Autonoe",
  "Enceladus",
  "Iapetus",
  "Umbriel",
  "Algieba",
  "Despina",
  "Erinome",
  "Algenib",
  "Rasalgethi",
  "Laomedeia",
  "Achernar",
  "Alnilam",
  "Schedar",
  "Gacrux",
  "Pulcherrima",
  "Achird",
  "Zubenelgenubi",
  "Vindemiatrix",
  "Sadachbia",
  "Sadaltager",
  "Sulafat",
] as const;

/** OpenAI Realtime voices (protocols.md D). */
const OPENAI_VOICES = [
  "alloy",
  "ash",
  "ballad",
  "coral",
  "echo",
  "sage",
  "shimmer",
  "verse",
  "marin",
  "cedar",
] as const;

function voicesFor(provider: VoiceProvider): readonly string[] {
  return provider === "openai" ? OPENAI_VOICES : GEMINI_VOICES;
}

export function canonicalVoice(name: string, provider: VoiceProvider): string | undefined {
  const wanted = name.trim().toLowerCase();
  return voicesFor(provider).find((v) => v.toLowerCase() === wanted);
}

/** Request, else the key's default, else the platform default. */
export function resolveVoice(
  requested: string | undefined,
  keyDefault: string | null | undefined,
  platformDefault: string,
  provider: VoiceProvider,
): Result<string, "invalid_voice"> {
  const name = requested ?? keyDefault ?? platformDefault;
  const voice = canonicalVoice(name, provider);
  return voice ? ok(voice) : err("invalid_voice");
}

/** The provider's voices, in catalogue order (the dashboard's voice picker). */
export function voiceCatalogue(provider: VoiceProvider): readonly string[] {
  return voicesFor(provider);
}
