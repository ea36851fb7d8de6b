/**
 * A streaming detector of an answering machine's beep in the recipient's audio (8 kHz PCM16): a
 * steady single tone between BEEP_MIN_HZ and BEEP_MAX_HZ lasting at least BEEP_MIN_MS, heard after
 * some speech (a greeting). Pure: samples in, beeps out; no clock.
 *
 * Each 20 ms window is tonal when its zero crossings (located between samples by linear
 * interpolation) are evenly spaced: a pure tone's half periods are all alike, while speech (a
 * fundamental with harmonics and formants), noise and dual tones (DTMF) cross irregularly. A beep
 * is a run of tonal windows whose frequency stays within BEEP_HZ_TOLERANCE of the run's first
 * and whose level stays steady. Requiring speech first keeps fax calling tones (CNG, 1,100 Hz
 * from the first second) and ring-back from counting as a beep.
 */

export const BEEP_MIN_HZ = 380;
export const BEEP_MAX_HZ = 2100;
export const BEEP_MIN_MS = 150;
/** Sound that is not a tone heard before a beep may count (a greeting's words). */
export const SPEECH_BEFORE_MS = 300;

const RATE = 8000;
const WINDOW = 160;
const WINDOW_MS = (WINDOW * 1000) / RATE;
/** Below this RMS a window is silence (about -47 dBFS). */
const MIN_RMS = 150;
/** Spread of the half periods (std / mean) under which a window is a pure tone. */
const MAX_SPREAD = 0.08;
const BEEP_HZ_TOLERANCE = 0.04;
/** Window-to-window level change a steady tone stays within. */
const MAX_LEVEL_RATIO = 1.5;
const RUN_WINDOWS = Math.ceil(BEEP_MIN_MS / WINDOW_MS);

export type Beep = {
  /** Where the tone began, in samples since the stream began. */
  startSample: number;
  /** Where the detector became sure (the end of the window that made it a beep). */
  detectedSample: number;
  hz: number;
};

type Window = { rms: number; hz: number | null };

export class BeepDetector {
  private pending = new Int16Array(WINDOW);
  private filled = 0;
  private samples = 0;
  private speechMs = 0;
  /** The current run of like tonal windows. */
  private run: {
    start: number;
    hz: number;
    windows: number;
    rms: number;
    reported: boolean;
  } | null = null;

  /** Feeds audio; returns the beeps that became sure within it. */
  push(pcm: Int16Array): Beep[] {
    const out: Beep[] = [];
    let i = 0;
    while (i < pcm.length) {
      const n = Math.min(WINDOW - this.filled, pcm.length - i);
      this.pending.set(pcm.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled < WINDOW) break;
      this.filled = 0;
      this.samples += WINDOW;
      const beep = this.window(analyse(this.pending));
      if (beep) out.push(beep);
    }
    return out;
  }

  private window(w: Window): Beep | undefined {
    const run = this.run;
    if (w.hz === null) {
      this.run = null;
      if (w.rms >= MIN_RMS) this.speechMs += WINDOW_MS;
      return undefined;
    }
    const steady =
      run !== null &&
      Math.abs(w.hz - run.hz) <= run.hz * BEEP_HZ_TOLERANCE &&
      w.rms <= run.rms * MAX_LEVEL_RATIO &&
      w.rms * MAX_LEVEL_RATIO >= run.rms;
    if (!steady || !run) {
      this.run = {
        start: this.samples - WINDOW,
        hz: w.hz,
        windows: 1,
        rms: w.rms,
        reported: false,
      };
      return undefined;
    }
    run.windows += 1;
    run.rms = w.rms;
    if (run.reported || run.windows < RUN_WINDOWS || this.speechMs < SPEECH_BEFORE_MS)
      return undefined;
    run.reported = true;
    return { startSample: run.start, detectedSample: this.samples, hz: Math.round(run.hz) };
  }
}

/** A window's level, and its frequency when it is a pure tone in the beep band. */
function analyse(w: Int16Array): Window {
  let sum = 0;
  for (const s of w) sum += s * s;
  const rms = Math.sqrt(sum / w.length);
  if (rms < MIN_RMS) return { rms, hz: null };
  const crossings: number[] = [];
  for (let i = 1; i < w.length; i++) {
    const a = w[i - 1] as number;
    const b = w[i] as number;
    if ((a < 0 && b >= 0) || (a >= 0 && b < 0)) crossings.push(i - 1 + a / (a - b));
  }
  if (crossings.length < 4) return { rms, hz: null };
  const halves: number[] = [];
  for (let i = 1; i < crossings.length; i++)
    halves.push((crossings[i] as number) - (crossings[i - 1] as number));
  const mean = halves.reduce((x, y) => x + y, 0) / halves.length;
  const variance = halves.reduce((x, h) => x + (h - mean) ** 2, 0) / halves.length;
  if (Math.sqrt(variance) / mean > MAX_SPREAD) return { rms, hz: null };
  const hz = RATE / (2 * mean);
  return { rms, hz: hz >= BEEP_MIN_HZ && hz <= BEEP_MAX_HZ ? hz : null };
}
