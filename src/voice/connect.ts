/**
 * Opens the configured voice model for a call. The simulator is served by this Worker at the
 * Gemini Live path, so `simulator` runs the very same Gemini Live client as production.
 */
import type { VoiceConfig } from "../env";
import type { Transport } from "../lib/loopback";
import { webSocketUrlOf } from "../lib/loopback";
import type { VoiceEvents, VoiceSession, VoiceSessionConfig } from "../ports";
import { connectGeminiLive } from "./gemini-live/session";
import { connectOpenAiRealtime } from "./openai-realtime/session";
import { SIMULATED_MODEL_PATH } from "./simulator/simulated-model";

export async function connectVoice(
  voice: VoiceConfig,
  publicBaseUrl: string,
  transport: Transport,
  config: VoiceSessionConfig,
  events: VoiceEvents,
): Promise<VoiceSession> {
  switch (voice.provider) {
    case "gemini":
      return connectGeminiLive({ ...voice, transport }, config, events);
    case "simulator":
      return connectGeminiLive(
        {
          baseUrl: webSocketUrlOf(publicBaseUrl + SIMULATED_MODEL_PATH),
          apiKey: "simulator",
          model: voice.model,
          transport,
        },
        config,
        events,
      );
    case "openai":
      return connectOpenAiRealtime({ ...voice, transport }, config, events);
  }
}
