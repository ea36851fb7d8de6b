/**
 * Streaming resamplers for the Gemini bridge (protocols.md §E):
 *
 * - `Upsampler2x`: Twilio 8 kHz → Gemini 16 kHz input (20 ms: 160 → 320 samples).
 * - `Downsampler3x`: Gemini 24 kHz output → Twilio 8 kHz (20 ms: 480 → 160 samples). It must
 *   low-pass below 4 kHz before decimating: dropping samples or interpolating linearly folds the
 *   4–12 kHz band into the telephone band.
 *
 * Both keep their filter history (and the decimator its phase) between calls, so a signal cut
 * into chunks of any size, empty ones included, gives the same output sample for sample as the
 * whole signal in one call. Call `reset()` when the stream restarts (barge-in / Twilio `clear`)
 * so stale audio does not leak into the next response.
 *
 * Filters are Kaiser-windowed sincs designed once at module load. Kaiser's formulas for stopband
 * attenuation A dB and transition width Δf at rate fs: β = 0.1102·(A − 8.7) for A > 50, and
 * N − 1 ≈ (A − 8) / (2.285 · 2π · Δf / fs).
 */

/** Target stopband attenuation: 70 dB, well under μ-law's own ~38 dB SNR. β = 0.1102 · 61.3. */
const KAISER_BETA = 6.755;

/** Modified Bessel function of the first kind, order 0, by its power series (converges fast). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; term > sum * 1e-16; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/**
 * Linear-phase low-pass: `numTaps` taps of sinc(2·fc/fs · (n − center)) under a Kaiser window,
 * normalised to unity gain at DC.
 */
function kaiserLowpass(numTaps: number, cutoffHz: number, sampleRate: number): Float64Array {
  const taps = new Float64Array(numTaps);
  const center = (numTaps - 1) / 2;
  const fc = (2 * cutoffHz) / sampleRate; // cutoff as a fraction of Nyquist
  const i0Beta = besselI0(KAISER_BETA);
  let sum = 0;
  for (let n = 0; n < numTaps; n++) {
    const m = n - center;
    const x = fc * m;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = m / center;
    const w = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    const t = sinc * w;
    taps[n] = t;
    sum += t;
  }
  for (let n = 0; n < numTaps; n++) taps[n] = (taps[n] ?? 0) / sum;
  return taps;
}

/** Round to nearest and saturate to int16 (an Int16Array store would wrap, not clip). */
function toInt16(v: number): number {
  return Math.min(32767, Math.max(-32768, Math.round(v)));
}

/** Buffer room for fresh input before the first call grows it: 40 ms at 24 kHz. */
const INITIAL_INPUT_CAPACITY = 960;

/*
 * 8 kHz → 16 kHz. Zero-stuffing doubles the rate and leaves an image of 0–4 kHz at 4–8 kHz; a
 * half-band low-pass at fs/4 = 4 kHz removes it. The prototype has UP_PROTO_TAPS = 4·16 − 1 = 63
 * taps at 16 kHz (Kaiser, β above: flat to 3.4 kHz within 0.01 dB, −6 dB at 4 kHz, ≥ 68 dB down
 * from 4.6 kHz). Every other tap of a half-band filter is zero except the centre, so:
 *
 * - odd outputs  y[2n+1] = x[n − 15]: the centre tap alone, a pure delay (index 31 = 2·15 + 1);
 * - even outputs y[2n]   = Σ_{i=0..31} g[i] · x[n − i], with g[i] = 2·h[2i] (the ×2 restores the
 *   level halved by zero-stuffing), renormalised so Σ g = 1 exactly and both phases have the
 *   same DC gain. g is symmetric, so the 32 products fold into 16.
 *
 * Delay: 31 output samples (1.9 ms).
 */
const UP_PROTO_TAPS = 63;
const UP_PHASE_TAPS = (UP_PROTO_TAPS + 1) / 2; // 32 taps in the filtering phase
const UP_HISTORY = UP_PHASE_TAPS - 1; // 31 previous input samples
const UP_HALF = UP_PHASE_TAPS / 2; // symmetric taps: g[k] = g[31 − k], folded into 16 products
const UP_DELAY = 15; // (UP_PHASE_TAPS / 2) − 1: the centre tap, in input samples

const UP_TAPS: Float64Array = (() => {
  const proto = kaiserLowpass(UP_PROTO_TAPS, 4000, 16_000);
  const g = new Float64Array(UP_PHASE_TAPS);
  let sum = 0;
  for (let i = 0; i < UP_PHASE_TAPS; i++) sum += proto[2 * i] ?? 0;
  for (let i = 0; i < UP_PHASE_TAPS; i++) g[i] = (proto[2 * i] ?? 0) / sum;
  return g;
})();

/** Streaming 8 kHz → 16 kHz PCM16 upsampler (two output samples per input sample). */
export class Upsampler2x {
  /** [UP_HISTORY samples of history | this call's input]. */
  private buf = new Float64Array(UP_HISTORY + INITIAL_INPUT_CAPACITY);

  process(input: Int16Array): Int16Array {
    const n = input.length;
    const out = new Int16Array(2 * n);
    if (n === 0) return out;
    const buf = this.ensureCapacity(n);
    for (let i = 0; i < n; i++) buf[UP_HISTORY + i] = input[i] ?? 0;
    const taps = UP_TAPS;
    for (let i = 0; i < n; i++) {
      // buf[i .. i + 31] holds the 32 input samples ending at this call's input[i].
      // Two accumulators halve the chain of dependent floating-point adds (~30% faster on V8);
      // UP_HALF is even.
      let acc0 = 0;
      let acc1 = 0;
      const last = i + UP_HISTORY;
      for (let k = 0; k < UP_HALF; k += 2) {
        acc0 += (taps[k] ?? 0) * ((buf[i + k] ?? 0) + (buf[last - k] ?? 0));
        acc1 += (taps[k + 1] ?? 0) * ((buf[i + k + 1] ?? 0) + (buf[last - k - 1] ?? 0));
      }
      out[2 * i] = toInt16(acc0 + acc1);
      out[2 * i + 1] = buf[i + UP_HISTORY - UP_DELAY] ?? 0;
    }
    buf.copyWithin(0, n, n + UP_HISTORY);
    return out;
  }

  /** Forgets all history, as if freshly constructed. */
  reset(): void {
    this.buf.fill(0);
  }

  private ensureCapacity(n: number): Float64Array {
    if (this.buf.length < UP_HISTORY + n) {
      const grown = new Float64Array(UP_HISTORY + n);
      grown.set(this.buf.subarray(0, UP_HISTORY));
      this.buf = grown;
    }
    return this.buf;
  }
}

/*
 * 24 kHz → 8 kHz. DOWN_TAPS = 64 taps at 24 kHz with cutoff (−6 dB) 3.8 kHz and the Kaiser β
 * above: −0.9 dB at 3.4 kHz, −11.5 dB at 4 kHz, ≥ 62 dB down from 4.6 kHz (whose alias lands at
 * 8 − 4.6 = 3.4 kHz, the top of the telephone band), ~84 dB at 6 kHz. Only every third output is
 * computed: y[m] = Σ_k h[k] · x[3m − k], 64 multiply-adds per kept sample. The symmetric taps
 * are folded (h[k] = h[63 − k]) to halve the multiplies.
 *
 * Delay: 31.5 input samples (1.3 ms).
 */
const DOWN_TAPS = 64;
const DOWN_HALF = DOWN_TAPS / 2;
const DOWN_HISTORY = DOWN_TAPS - 1; // 63 previous input samples
const DOWN_FACTOR = 3;

const DOWN_FIR: Float64Array = kaiserLowpass(DOWN_TAPS, 3800, 24_000);

/** Streaming 24 kHz → 8 kHz PCM16 decimator (one output sample per three input samples). */
export class Downsampler3x {
  /** [DOWN_HISTORY samples of history | this call's input]. */
  private buf = new Float64Array(DOWN_HISTORY + INITIAL_INPUT_CAPACITY);
  /** Offset into the next call's input of the next sample to output (0, 1 or 2). */
  private phase = 0;

  process(input: Int16Array): Int16Array {
    const n = input.length;
    const count = n > this.phase ? Math.ceil((n - this.phase) / DOWN_FACTOR) : 0;
    const out = new Int16Array(count);
    if (n === 0) return out;
    const buf = this.ensureCapacity(n);
    for (let i = 0; i < n; i++) buf[DOWN_HISTORY + i] = input[i] ?? 0;
    const taps = DOWN_FIR;
    let j = this.phase;
    for (let m = 0; m < count; m++, j += DOWN_FACTOR) {
      // buf[j .. j + 63] holds the 64 input samples ending at this call's input[j].
      // Two accumulators, as in Upsampler2x; DOWN_HALF is even.
      let acc0 = 0;
      let acc1 = 0;
      const last = j + DOWN_HISTORY;
      for (let k = 0; k < DOWN_HALF; k += 2) {
        acc0 += (taps[k] ?? 0) * ((buf[j + k] ?? 0) + (buf[last - k] ?? 0));
        acc1 += (taps[k + 1] ?? 0) * ((buf[j + k + 1] ?? 0) + (buf[last - k - 1] ?? 0));
      }
      out[m] = toInt16(acc0 + acc1);
    }
    this.phase = j - n;
    buf.copyWithin(0, n, n + DOWN_HISTORY);
    return out;
  }

  /** Forgets all history and the phase, as if freshly constructed. */
  reset(): void {
    this.buf.fill(0);
    this.phase = 0;
  }

  private ensureCapacity(n: number): Float64Array {
    if (this.buf.length < DOWN_HISTORY + n) {
      const grown = new Float64Array(DOWN_HISTORY + n);
      grown.set(this.buf.subarray(0, DOWN_HISTORY));
      this.buf = grown;
    }
    return this.buf;
  }
}
