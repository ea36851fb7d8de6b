/**
 * The Gemini Live leg's audio, one frame at a time: the caller's 8 kHz μ-law to the 16 kHz PCM16
 * Gemini takes (base64), and Gemini's 24 kHz PCM16 (base64) back to 8 kHz μ-law. Pure but for
 * the resamplers, which carry their filter state from frame to frame.
 */
import { encodeMulaw } from "../../audio/mulaw";
import { base64ToBytes, bytesToBase64, pcm16BytesView, pcm16View } from "../../audio/pcm";
import type { Downsampler3x, Upsampler2x } from "../../audio/resample";

export const GEMINI_INPUT_AUDIO_MIME = "audio/pcm;rate=16000";

/** Caller PCM16 (8 kHz, decoded from μ-law) → base64 PCM16 LE at 16 kHz, for a `realtimeInput` audio blob. */
export function callerAudioToGemini(pcm: Int16Array, up: Upsampler2x): string {
  return bytesToBase64(pcm16BytesView(up.process(pcm)));
}

/** Gemini's base64 PCM16 LE at 24 kHz → μ-law at 8 kHz for the caller (empty while filling). */
export function geminiAudioToCaller(data: string, down: Downsampler3x): Uint8Array {
  // The decoded payload is ours alone: read it as samples in place.
  return encodeMulaw(down.process(pcm16View(base64ToBytes(data))));
}
