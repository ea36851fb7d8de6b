/**
 * Gemini Live messages (protocols.md C), typed by `@google/genai`'s own `LiveClientMessage` and
 * `LiveServerMessage` (type-only imports; see ../wire.ts). Server frames arrive as text or as
 * binary UTF-8 JSON; they are validated leniently: the fields the bridge reads are checked, any
 * other field is kept as it came (so a reader of a field not checked here still sees it). Audio
 * alone (most messages: one every few tens of ms while the agent speaks) is checked by hand.
 */
import type { LiveClientMessage, LiveServerMessage } from "@google/genai";
import { z } from "zod";
import { isJsonObject, type JsonObject } from "../../lib/json";
import type { Wire } from "../wire";

/** Live API versions: `v1` is @google/genai's default for the Gemini API, `v1beta` still served. */
export const GEMINI_LIVE_API_VERSIONS = ["v1", "v1beta", "v1alpha"] as const;
export type GeminiLiveApiVersion = (typeof GEMINI_LIVE_API_VERSIONS)[number];

/** The Live WebSocket path of an API version, as @google/genai builds it. */
export function geminiLivePath(version: GeminiLiveApiVersion): string {
  return `/ws/google.ai.generativelanguage.${version}.GenerativeService.BidiGenerateContent`;
}

/** Every message we send: `satisfies GeminiClientMessage` where it is built. */
export type GeminiClientMessage = Wire<LiveClientMessage>;
export type GeminiSetup = NonNullable<GeminiClientMessage["setup"]>;

/** The server messages the bridge reads, as the SDK declares them (less its helper getters). */
export type GeminiServerMessage = Wire<
  Pick<
    LiveServerMessage,
    | "setupComplete"
    | "serverContent"
    | "toolCall"
    | "toolCallCancellation"
    | "usageMetadata"
    | "goAway"
    | "sessionResumptionUpdate"
  >
>;

const transcription = z.looseObject({ text: z.string().optional() }).optional();

const ServerMessage = z.looseObject({
  setupComplete: z.looseObject({}).optional(),
  serverContent: z
    .looseObject({
      modelTurn: z
        .looseObject({
          parts: z
            .array(
              z.looseObject({
                inlineData: z
                  .looseObject({ mimeType: z.string().optional(), data: z.string().optional() })
                  .optional(),
                text: z.string().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
      inputTranscription: transcription,
      outputTranscription: transcription,
      interrupted: z.boolean().optional(),
      generationComplete: z.boolean().optional(),
      turnComplete: z.boolean().optional(),
    })
    .optional(),
  toolCall: z
    .looseObject({
      functionCalls: z
        .array(
          z.looseObject({
            id: z.string().optional(),
            name: z.string().optional(),
            args: z.record(z.string(), z.unknown()).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  goAway: z.looseObject({ timeLeft: z.string().optional() }).optional(),
  sessionResumptionUpdate: z
    .looseObject({ newHandle: z.string().optional(), resumable: z.boolean().optional() })
    .optional(),
}) satisfies z.ZodType<GeminiServerMessage>;

const decoder = new TextDecoder();

export function parseServerMessage(data: unknown): GeminiServerMessage | undefined {
  let text: string;
  if (typeof data === "string") text = data;
  else if (data instanceof ArrayBuffer) text = decoder.decode(data);
  else if (ArrayBuffer.isView(data)) text = decoder.decode(data);
  else return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return audioOnly(value) ?? parsedOrUndefined(value);
}

function parsedOrUndefined(value: unknown): GeminiServerMessage | undefined {
  const parsed = ServerMessage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * `{ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType?, data } }] } } }` and
 * nothing else, as the schema above would accept it; anything else goes to the schema.
 */
function audioOnly(value: unknown): GeminiServerMessage | undefined {
  if (!isJsonObject(value) || !onlyKey(value, "serverContent")) return undefined;
  const content = value.serverContent;
  if (!isJsonObject(content) || !onlyKey(content, "modelTurn")) return undefined;
  const turn = content.modelTurn;
  if (!isJsonObject(turn) || !onlyKey(turn, "parts") || !Array.isArray(turn.parts))
    return undefined;
  for (const part of turn.parts) {
    if (!isJsonObject(part) || !onlyKey(part, "inlineData")) return undefined;
    const blob = part.inlineData;
    if (!isJsonObject(blob) || typeof blob.data !== "string") return undefined;
    if (blob.mimeType !== undefined && typeof blob.mimeType !== "string") return undefined;
  }
  return value as GeminiServerMessage;
}

function onlyKey(record: JsonObject, key: string): boolean {
  let count = 0;
  for (const k in record) {
    if (k !== key) return false;
    count += 1;
  }
  return count === 1;
}
