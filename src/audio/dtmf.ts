/**
 * In-band DTMF (ITU-T Q.23 keys, Q.24 timing): a tone generator for the keys the agent presses,
 * and a Goertzel detector for the simulated phone menus that listen for them. Twilio's
 * bidirectional media stream cannot carry RFC 2833 digits, so keys go out as audio. Pure.
 *
 * Level: each of the two frequencies at amplitude 7000 (−13.4 dBFS, about −10 dBm0 with μ-law's
 * +3.17 dBm0 full-scale sine), both equal (no twist). Their sum peaks at 14 000, far from μ-law's
 * clip (32 635), and each is well above Q.24's −20 dBm0 acceptance floor, so the key survives
 * μ-law quantisation (its noise is ~38 dB below a tone at this level) and resampling.
 * Timing: 100 ms of tone and 100 ms of silence per key (Q.24 asks receivers to accept ≥ 40 ms;
 * carriers commonly want ≥ 80 ms each), with 5 ms raised-cosine ramps so the tone's edges do
 * not splash energy into other bins. `w` is a 500 ms pause.
 */

export const DTMF_ROWS = [697, 770, 852, 941] as const;
export const DTMF_COLS = [1209, 1336, 1477, 1633] as const;
const LAYOUT = ["123A", "456B", "789C", "*0#D"] as const;

/** The keys the agent may press, and `w` for a pause. */
export const DTMF_KEYS = "0123456789*#";
export const PAUSE_KEY = "w";

export const TONE_MS = 100;
export const GAP_MS = 100;
export const PAUSE_MS = 500;
/** Per-frequency amplitude (see the header for the level). */
export const TONE_AMPLITUDE = 7000;
const RAMP_MS = 5;

/** The two frequencies of a key, or undefined for anything else. */
export function frequenciesOf(key: string): { row: number; col: number } | undefined {
  for (const [r, keys] of LAYOUT.entries()) {
    const c = keys.indexOf(key);
    if (key.length === 1 && c >= 0)
      return { row: DTMF_ROWS[r] as number, col: DTMF_COLS[c] as number };
  }
  return undefined;
}

/** The audio of `digits` (keys and `w` pauses) at `rate` Hz, each key followed by its gap. */
export function dtmfTones(digits: string, rate = 8000): Int16Array {
  const toneN = Math.round((rate * TONE_MS) / 1000);
  const gapN = Math.round((rate * GAP_MS) / 1000);
  const pauseN = Math.round((rate * PAUSE_MS) / 1000);
  const rampN = Math.round((rate * RAMP_MS) / 1000);
  let total = 0;
  for (const d of digits) total += d === PAUSE_KEY ? pauseN : toneN + gapN;
  const out = new Int16Array(total);
  let at = 0;
  for (const d of digits) {
    if (d === PAUSE_KEY) {
      at += pauseN;
      continue;
    }
    const f = frequenciesOf(d);
    if (!f) throw new RangeError(`not a DTMF key: ${d}`);
    for (let i = 0; i < toneN; i++) {
      const edge = Math.min(i, toneN - 1 - i);
      const ramp = edge < rampN ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / rampN) : 1;
      const t = i / rate;
      const v = Math.sin(2 * Math.PI * f.row * t) + Math.sin(2 * Math.PI * f.col * t);
      out[at + i] = Math.round(TONE_AMPLITUDE * ramp * v);
    }
    at += toneN + gapN;
  }
  return out;
}

/**
 * Share of a block's energy that must lie in the key's two frequencies. A clean key after μ-law
 * puts ~0.97 there; voiced speech and noise spread theirs (see bench/README.md for the margin).
 */
export const MIN_TONE_SHARE = 0.6;
/** Each frequency must beat the other three of its group by this power ratio (8 dB). */
const GROUP_DOMINANCE = 6.3;
/** Row and column powers within this ratio of each other (Q.24 twist, 8 dB). */
const MAX_TWIST = 6.3;
/** Blocks quieter than this mean square (≈ −45 dBFS) are silence. */
const MIN_BLOCK_MEAN_SQUARE = 1000;
/** Consecutive blocks a key must hold before it counts (2 × 25.6 ms at 8 kHz). */
const HOLD_BLOCKS = 2;

/** Goertzel energy of one frequency in a block, scaled like the block's energy (Σx²). */
export function toneEnergy(block: ArrayLike<number>, freq: number, rate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < block.length; i++) {
    const s0 = (block[i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * power) / block.length;
}

/** What one block looked like: the key it carries (if any) and its share of tone energy. */
export type BlockVerdict = { key: string | null; share: number };

export function analyseBlock(block: ArrayLike<number>, rate: number): BlockVerdict {
  let energy = 0;
  for (let i = 0; i < block.length; i++) energy += (block[i] as number) ** 2;
  if (energy / block.length < MIN_BLOCK_MEAN_SQUARE) return { key: null, share: 0 };
  const rows = DTMF_ROWS.map((f) => toneEnergy(block, f, rate));
  const cols = DTMF_COLS.map((f) => toneEnergy(block, f, rate));
  const r = strongest(rows);
  const c = strongest(cols);
  const row = rows[r] as number;
  const col = cols[c] as number;
  const share = (row + col) / energy;
  const dominant =
    rows.every((e, i) => i === r || row >= GROUP_DOMINANCE * e) &&
    cols.every((e, i) => i === c || col >= GROUP_DOMINANCE * e);
  const twistOk = row <= MAX_TWIST * col && col <= MAX_TWIST * row;
  const key = dominant && twistOk && share >= MIN_TONE_SHARE ? (LAYOUT[r]?.[c] ?? null) : null;
  return { key, share };
}

function strongest(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/**
 * Streams audio in and reports each key once: a key counts after HOLD_BLOCKS blocks in a row,
 * and the same key again only after a block without it (the gap between presses).
 * Blocks of 205 samples at 8 kHz (25.6 ms, 39 Hz bins: the classic choice for DTMF).
 */
export class DtmfDetector {
  private readonly blockSize: number;
  private block: number[] = [];
  private candidate: string | null = null;
  private run = 0;
  private reported = false;

  constructor(private readonly rate = 8000) {
    this.blockSize = Math.round((205 * rate) / 8000);
  }

  push(pcm: ArrayLike<number>): string[] {
    const keys: string[] = [];
    for (let i = 0; i < pcm.length; i++) {
      this.block.push(pcm[i] as number);
      if (this.block.length < this.blockSize) continue;
      const { key } = analyseBlock(this.block, this.rate);
      this.block = [];
      if (key !== this.candidate) {
        this.candidate = key;
        this.run = 0;
        this.reported = false;
      }
      if (key === null) continue;
      this.run += 1;
      if (this.run >= HOLD_BLOCKS && !this.reported) {
        this.reported = true;
        keys.push(key);
      }
    }
    return keys;
  }
}
