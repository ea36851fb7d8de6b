/**
 * The end of a voicemail greeting that has no beep: silence of GREETING_SILENCE_MS after some
 * speech, in the recipient's audio (8 kHz PCM16). Pure and streaming; reports once.
 */

export const GREETING_SILENCE_MS = 2500;
/** Sound heard first, so the silence follows a greeting rather than a line not yet speaking. */
const MIN_SOUND_MS = 500;
/** Below this RMS a 20 ms stretch is silence (about -47 dBFS, as in the beep detector). */
const SILENT_RMS = 150;
const RATE_PER_MS = 8;

export class GreetingSilence {
  private soundMs = 0;
  private silentMs = 0;
  private reported = false;

  /** Feeds audio; true once, when the silence after the greeting has lasted long enough. */
  push(pcm: Int16Array): boolean {
    if (this.reported || pcm.length === 0) return false;
    let sum = 0;
    for (const s of pcm) sum += s * s;
    const ms = pcm.length / RATE_PER_MS;
    if (Math.sqrt(sum / pcm.length) >= SILENT_RMS) {
      this.soundMs += ms;
      this.silentMs = 0;
      return false;
    }
    if (this.soundMs < MIN_SOUND_MS) return false;
    this.silentMs += ms;
    if (this.silentMs < GREETING_SILENCE_MS) return false;
    this.reported = true;
    return true;
  }
}
