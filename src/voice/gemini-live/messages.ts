/**
 * Gemini Live server messages (protocols.md C), read leniently: only the fields the bridge uses
 * are typed, anything else is ignored. Frames arrive as text or as binary UTF-8 JSON.
 */
export type GeminiServerMessage = {
  setupComplete?: Record<string, never>;
  serverContent?: {
    modelTurn?: { parts?: { inlineData?: { mimeType?: string; data?: string }; text?: string }[] };
    inputTranscription?: { text?: string };
    outputTranscription?: { text?: string };
    interrupted?: boolean;
    generationComplete?: boolean;
    turnComplete?: boolean;
  };
  toolCall?: { functionCalls?: { id: string; name: string; args?: Record<string, unknown> }[] };
  goAway?: { timeLeft?: string };
  sessionResumptionUpdate?: { newHandle?: string; resumable?: boolean };
};

const decoder = new TextDecoder();

export function parseServerMessage(data: unknown): GeminiServerMessage | undefined {
  let text: string;
  if (typeof data === "string") text = data;
  else if (data instanceof ArrayBuffer) text = decoder.decode(data);
  else if (ArrayBuffer.isView(data)) text = decoder.decode(data);
  else return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as GeminiServerMessage) : undefined;
  } catch {
    return undefined;
  }
}
