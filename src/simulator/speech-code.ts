/**
 * Speech the simulators can tell apart, through the real audio path. The simulated phone speaks
 * each canned line as voiced syllables (a buzz with harmonics, a small pitch glide and a syllabic
 * envelope, like a voice), and the first CODE_SYLLABLES syllables carry the line's number in
 * their pitch, one of PITCH_LEVELS per syllable (base 4). The simulated model's "speech
 * recognizer" segments what it hears into syllables, measures each one's pitch by
 * autocorrelation, and reads the number back: a canned transcription that works only if the audio
 * really arrived, in order, through μ-law, resampling and the media stream. Pure.
 */

/** Fundamentals of the four code levels (Hz): ratios ≥ 1.25, so no level is mistaken for another. */
export const PITCH_LEVELS = [110, 140, 180, 230] as const;
/** Pitch of the syllables after the code (they carry nothing). */
const FILLER_HZ = 125;
export const CODE_SYLLABLES = 4;
/** Lines the code can tell apart. */
export const MAX_CODES = PITCH_LEVELS.length ** CODE_SYLLABLES;
export const SYLLABLE_MS = 160;
export const SYLLABLE_GAP_MS = 60;
const AMPLITUDE = 7000;

/** Speech for line `code`: `syllables` of them (at least the code's), at `rate` Hz. */
export function speechFor(code: number, syllables: number, rate = 8000): Int16Array {
  if (!Number.isInteger(code) || code < 0 || code >= MAX_CODES)
    throw new RangeError(`speech code ${code} out of range`);
  const count = Math.max(CODE_SYLLABLES, syllables);
  const voiced = Math.round((rate * SYLLABLE_MS) / 1000);
  const gap = Math.round((rate * SYLLABLE_GAP_MS) / 1000);
  const out = new Int16Array(count * (voiced + gap));
  let phase = 0;
  for (let s = 0; s < count; s++) {
    const hz = s < CODE_SYLLABLES ? PITCH_LEVELS[digitOf(code, s)] : FILLER_HZ;
    const base = s * (voiced + gap);
    for (let i = 0; i < voiced; i++) {
      // A glide of ±3% across the syllable, as a voice's pitch moves.
      const f = (hz as number) * (0.97 + (0.06 * i) / voiced);
      phase += (2 * Math.PI * f) / rate;
      const envelope = Math.sin((Math.PI * i) / voiced);
      const v = Math.sin(phase) + 0.6 * Math.sin(2 * phase) + 0.35 * Math.sin(3 * phase);
      out[base + i] = Math.round(AMPLITUDE * envelope * v * 0.6);
    }
  }
  return out;
}

function digitOf(code: number, syllable: number): number {
  return (
    Math.floor(code / PITCH_LEVELS.length ** (CODE_SYLLABLES - 1 - syllable)) % PITCH_LEVELS.length
  );
}

/** RMS above which a 10 ms window counts as voiced. */
const VOICED_RMS = 500;
/** Silence this long ends an utterance (ms). */
export const UTTERANCE_END_MS = 300;

export type Heard =
  /** A whole utterance ended: its code, or null when it was not coded speech (a tone, noise). */
  { type: "utterance"; code: number | null; ms: number } | { type: "speech_started" };

/**
 * Streams audio in, and reports the start and the end of each utterance with the line it was.
 * Windows of 10 ms; a syllable is a run of voiced windows.
 */
export class SpeechListener {
  private readonly window: number;
  private pending: number[] = [];
  private syllable: number[] = [];
  private digits: number[] = [];
  private coded = true;
  private speechMs = 0;
  private silenceMs = 0;

  constructor(private readonly rate: number) {
    this.window = Math.round(rate / 100);
  }

  push(pcm: Int16Array): Heard[] {
    const out: Heard[] = [];
    for (const s of pcm) {
      this.pending.push(s);
      if (this.pending.length < this.window) continue;
      const w = this.pending;
      this.pending = [];
      const heard = this.windowOf(w);
      if (heard) out.push(heard);
    }
    return out;
  }

  private windowOf(w: number[]): Heard | undefined {
    let sum = 0;
    for (const s of w) sum += s * s;
    const voiced = Math.sqrt(sum / w.length) >= VOICED_RMS;
    if (voiced) {
      const started = this.speechMs === 0;
      this.speechMs += this.silenceMs + 10;
      this.silenceMs = 0;
      this.syllable.push(...w);
      return started ? { type: "speech_started" } : undefined;
    }
    this.endSyllable();
    if (this.speechMs === 0) return undefined;
    this.silenceMs += 10;
    if (this.silenceMs < UTTERANCE_END_MS) return undefined;
    const code = this.coded && this.digits.length >= CODE_SYLLABLES ? this.codeOf() : null;
    const ms = this.speechMs;
    this.speechMs = 0;
    this.silenceMs = 0;
    this.digits = [];
    this.coded = true;
    return { type: "utterance", code, ms };
  }

  private endSyllable(): void {
    const samples = this.syllable;
    this.syllable = [];
    // Shorter than half a syllable: a click or the tail of something, not a syllable.
    if (samples.length < (this.rate * SYLLABLE_MS) / 2000 || this.digits.length >= CODE_SYLLABLES)
      return;
    const hz = pitchOf(samples, this.rate);
    const level = nearestLevel(hz);
    if (level === undefined) this.coded = false;
    else this.digits.push(level);
  }

  private codeOf(): number {
    return this.digits.reduce((code, d) => code * PITCH_LEVELS.length + d, 0);
  }
}

/** The fundamental of a voiced stretch by autocorrelation over 80–300 Hz (0 when unvoiced). */
export function pitchOf(samples: readonly number[], rate: number): number {
  const minLag = Math.floor(rate / 300);
  const maxLag = Math.ceil(rate / 80);
  const n = samples.length - maxLag;
  if (n <= 0) return 0;
  const corr: number[] = [];
  let best = 0;
  for (let lag = minLag; lag <= maxLag; lag++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += (samples[i] as number) * (samples[i + lag] as number);
    corr.push(c);
    if (c > best) best = c;
  }
  if (best <= 0) return 0;
  // The first strong peak is the period (later ones are its multiples).
  for (let k = 1; k < corr.length - 1; k++) {
    const c = corr[k] as number;
    if (c >= 0.85 * best && c >= (corr[k - 1] as number) && c >= (corr[k + 1] as number))
      return rate / (minLag + k);
  }
  return rate / (minLag + corr.indexOf(best));
}

function nearestLevel(hz: number): number | undefined {
  let best: number | undefined;
  let distance = Number.POSITIVE_INFINITY;
  PITCH_LEVELS.forEach((level, i) => {
    const d = Math.abs(Math.log(hz / level));
    if (d < distance) {
      distance = d;
      best = i;
    }
  });
  // Within ~10% of a level; anything else is not coded speech.
  return distance < 0.1 ? best : undefined;
}
