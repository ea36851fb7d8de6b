/**
 * Response latency per turn: from the recipient's end of speech to the agent's first audio of
 * its reply, as the caller hears it. Pure. End of speech is found with a small energy detector on
 * the recipient's audio, so it does not depend on what the voice model reports.
 */

/** RMS above ≈ −36 dBFS (500 of 32767) counts as voice; telephone line noise sits well below. */
const VOICE_RMS = 500;
/** Three voiced 20 ms frames in a row are speech; a click or a cough is not. */
const MIN_VOICED_FRAMES = 3;

import type { LatencyStats } from "../../domain/call-record";

export class TurnLatency {
  private voicedRun = 0;
  private lastVoiceEnd: number | null = null;
  private awaitingReply = false;
  private agentSpeaking = false;
  private readonly samples: number[] = [];

  /** One frame of recipient audio (8 kHz) that ended at `at` (ms). */
  recipientAudio(pcm: Int16Array, at: number): void {
    let sum = 0;
    for (const s of pcm) sum += s * s;
    const rms = pcm.length > 0 ? Math.sqrt(sum / pcm.length) : 0;
    if (rms < VOICE_RMS) {
      this.voicedRun = 0;
      return;
    }
    this.voicedRun += 1;
    if (this.voicedRun >= MIN_VOICED_FRAMES) {
      this.lastVoiceEnd = at;
      this.awaitingReply = true;
    }
  }

  /** Agent audio is being sent at `at`. */
  agentAudio(at: number): void {
    if (this.agentSpeaking) return;
    this.agentSpeaking = true;
    if (this.awaitingReply && this.lastVoiceEnd !== null) {
      this.samples.push(Math.max(0, at - this.lastVoiceEnd));
      this.awaitingReply = false;
    }
  }

  /** The agent's turn ended (completed or interrupted). */
  agentTurnEnded(): void {
    this.agentSpeaking = false;
  }

  stats(): LatencyStats | null {
    if (this.samples.length === 0) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      turns: sorted.length,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
    };
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return Math.round(sorted[rank - 1] ?? 0);
}
