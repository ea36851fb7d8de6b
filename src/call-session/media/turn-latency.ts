/**
 * Response latency per turn: from the recipient's end of speech to the agent's first audio of
 * its reply, as the caller hears it; and when each of the recipient's turns began, so transcript
 * lines can be placed where the speech happened rather than where its text arrived. Pure. Speech
 * is found with a small energy detector on the recipient's audio, so it does not depend on what
 * the voice model reports.
 */

/** RMS above ≈ −36 dBFS (500 of 32767) counts as voice; telephone line noise sits well below. */
const VOICE_RMS = 500;
/** Three voiced 20 ms frames in a row are speech; a click or a cough is not. */
const MIN_VOICED_FRAMES = 3;
/** μ-law 8 kHz: one sample per millisecond is 8. */
const SAMPLES_PER_MS = 8;

import type { LatencyStats } from "../../domain/call-record";

export class TurnLatency {
  private voicedRun = 0;
  /** When the current voiced run began (ms). */
  private runStartAt = 0;
  private lastVoiceEnd: number | null = null;
  private awaitingReply = false;
  private agentSpeaking = false;
  private readonly samples: number[] = [];
  /** The recipient is in a turn that no agent audio has followed yet. */
  private turnOpen = false;
  /** When each of the recipient's turns began (ms); one entry per turn, not per frame. */
  private readonly turnStarts: number[] = [];
  /** Turn starts already given to a transcript line. */
  private claimed = 0;

  /**
   * One frame of recipient audio (8 kHz) that ended at `at` (ms). True when this frame confirms
   * the start of speech (the run just became long enough to count).
   */
  recipientAudio(pcm: Int16Array, at: number): boolean {
    let sum = 0;
    for (const s of pcm) sum += s * s;
    const rms = pcm.length > 0 ? Math.sqrt(sum / pcm.length) : 0;
    if (rms < VOICE_RMS) {
      this.voicedRun = 0;
      return false;
    }
    if (this.voicedRun === 0) this.runStartAt = at - pcm.length / SAMPLES_PER_MS;
    this.voicedRun += 1;
    if (this.voicedRun < MIN_VOICED_FRAMES) return false;
    this.lastVoiceEnd = at;
    this.awaitingReply = true;
    if (this.voicedRun !== MIN_VOICED_FRAMES) return false;
    if (!this.turnOpen) {
      this.turnOpen = true;
      this.turnStarts.push(this.runStartAt);
    }
    return true;
  }

  /** Agent audio is being sent at `at`. */
  agentAudio(at: number): void {
    if (this.agentSpeaking) return;
    this.agentSpeaking = true;
    this.turnOpen = false;
    if (this.awaitingReply && this.lastVoiceEnd !== null) {
      this.samples.push(Math.max(0, at - this.lastVoiceEnd));
      this.awaitingReply = false;
    }
  }

  /**
   * The agent answered without speech (it pressed keys): the recipient's turn is over, so their
   * next words start a new one, but no latency sample is taken (it measures spoken replies).
   */
  agentActed(): void {
    this.turnOpen = false;
    this.awaitingReply = false;
  }

  /** The agent's turn ended (completed or interrupted). */
  agentTurnEnded(): void {
    this.agentSpeaking = false;
  }

  /**
   * When the speech of the recipient's next transcript line began: the oldest turn no line has
   * claimed yet (transcripts come in the order they were spoken, however late), else the latest
   * claimed one (a turn transcribed as several lines), else undefined (speech too quiet to see).
   */
  claimTurnStart(): number | undefined {
    if (this.claimed < this.turnStarts.length) return this.turnStarts[this.claimed++];
    return this.claimed > 0 ? this.turnStarts[this.claimed - 1] : undefined;
  }

  stats(): LatencyStats | null {
    const first = this.samples[0];
    if (first === undefined) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      turns: sorted.length,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      firstReplyMs: Math.round(first),
    };
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return Math.round(sorted[rank - 1] ?? 0);
}
