/**
 * The realtime voice model behind a call, independent of the provider. The bridge speaks μ-law
 * 8 kHz (Twilio's format) on both sides; each provider transcodes as it needs (Gemini Live: PCM16
 * 16 kHz in, 24 kHz out; OpenAI Realtime: μ-law passes through).
 */
export type Speaker = "agent" | "recipient";

export type VoiceEvents = {
  /** Agent audio, μ-law 8 kHz bytes, ready for the carrier. */
  audio(mulaw: Uint8Array): void;
  /** The recipient talked over the agent: drop queued agent audio now. */
  interrupted(): void;
  /** A finished piece of transcript. */
  transcript(speaker: Speaker, text: string): void;
  /** The agent's turn is over (audio for it has all been sent). */
  turnComplete(): void;
  /** The model decided to hang up (its end_call tool). */
  endCall(reason: string): void;
  /** The model connection is gone for good. */
  closed(reason: string): void;
};

export type SessionConfig = {
  systemPrompt: string;
  voice: string;
  /** BCP-47, or "auto" to mirror whoever answers. */
  language: string;
};

export interface VoiceSession {
  /** Caller audio, μ-law 8 kHz bytes as the carrier sent them. */
  sendCallerAudio(mulaw: Uint8Array): void;
  close(): void;
}
