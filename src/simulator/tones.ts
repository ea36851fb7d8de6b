/**
 * Sounds that are not speech, as the simulated far end plays them (8 kHz PCM16): an answering
 * machine's beep, a fax machine's calling tone. Pure.
 */

/** A steady tone of `hz` for `ms`, at `level` of full scale, with 5 ms ramps (no clicks). */
export function tone(hz: number, ms: number, level = 0.3, rate = 8000): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  const ramp = Math.round(rate / 200);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const edge = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    out[i] = Math.round(32767 * level * edge * Math.sin((2 * Math.PI * hz * i) / rate));
  }
  return out;
}

/** The usual voicemail beep: 1 kHz for half a second. */
export const BEEP_HZ = 1000;
export const BEEP_MS = 500;

export function beep(): Int16Array {
  return tone(BEEP_HZ, BEEP_MS);
}

/** A fax machine's calling tone (CNG, ITU-T T.30): 1,100 Hz for 0.5 s, then 3 s of silence. */
export const CNG_HZ = 1100;
export const CNG_ON_MS = 500;
export const CNG_PERIOD_MS = 3500;

export function cngCycle(): Int16Array {
  const out = new Int16Array((8000 * CNG_PERIOD_MS) / 1000);
  out.set(tone(CNG_HZ, CNG_ON_MS));
  return out;
}
