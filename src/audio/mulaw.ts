/**
 * G.711 μ-law ↔ 16-bit linear PCM. Twilio Media Streams carry raw μ-law at 8 kHz, mono, one byte
 * per sample, no header (protocols.md §B); Gemini wants PCM16 (§C).
 *
 * - Decoder: exactly the Sun `g711.c` reference (also FFmpeg `pcm.c`, Python `audioop.ulaw2lin`):
 *   0x00 → -32124, 0x7F → 0, 0x80 → 32124, 0xFF → 0.
 * - Encoder: the 16-bit form with bias 0x84 and clip 32635 (protocols.md §E). Sun's 14-bit
 *   variant (`>> 2`, clip 8159) differs by one step for 381 negative inputs, e.g. -1 → 0x7E
 *   instead of 0x7F; this module pins the 16-bit form so byte-exact fakes stay stable.
 *
 * Both directions are table lookups: 256 Int16 entries to decode, 65536 bytes to encode (built on
 * first use by 256 range fills, then shared by every call in the isolate).
 */

/**
 * Added to the magnitude so segment e starts at a power of two (128 << e), which makes the
 * exponent a highest-set-bit lookup. 0x84 = 132 = 4 · 33, the 14-bit reference's bias of 33.
 */
const BIAS = 0x84;
/** Largest magnitude that still fits once biased: 32635 + 132 = 32767 = 0x7FFF. */
const CLIP = 32635;

/** Sun reference decoder for one code; used to build the table and in tests. */
export function decodeMulawSample(code: number): number {
  const u = ~code & 0xff;
  // Mantissa on 4 bits, shifted left by the 3-bit exponent, offset by the bias.
  const t = (((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? BIAS - t : t - BIAS;
}

/** Encodes one int16 sample (fractions truncate, out-of-range values clamp, NaN counts as 0). */
export function encodeMulawSample(sample: number): number {
  let s = Math.min(32767, Math.max(-32768, Math.trunc(sample) || 0));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  // s is in [132, 32767], so s >> 7 is in [1, 255]: its highest set bit (0–7) is the exponent.
  const exp = 31 - Math.clz32(s >> 7);
  const mant = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | mant) & 0xff;
}

const DECODE_TABLE = new Int16Array(256);
for (let code = 0; code < 256; code++) DECODE_TABLE[code] = decodeMulawSample(code);

/** Indexed by the sample's 16-bit two's-complement pattern (`sample & 0xFFFF`). */
let encodeTable: Uint8Array | undefined;

function getEncodeTable(): Uint8Array {
  encodeTable ??= buildEncodeTable();
  return encodeTable;
}

/**
 * Each code covers one contiguous run of magnitudes, so the table is 256 `fill`s rather than
 * 65536 calls to `encodeMulawSample` (which cost ~5 ms of cold-start CPU when measured).
 * Code (exp, mant) takes the biased magnitudes b with b >> (exp + 3) = 16 + mant.
 */
function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(65536);
  for (let exp = 0; exp < 8; exp++) {
    for (let mant = 0; mant < 16; mant++) {
      const lo = Math.max(0, ((16 + mant) << (exp + 3)) - BIAS);
      // The top code also takes everything clipped: magnitudes up to 32768 (from -32768).
      const hi = exp === 7 && mant === 15 ? 32769 : ((17 + mant) << (exp + 3)) - BIAS;
      const positive = ~((exp << 4) | mant) & 0xff;
      table.fill(positive, lo, Math.min(hi, 32768)); // s = m at index m
      // s = -m sits at index 65536 - m; magnitude 0 is never negative.
      const negLo = Math.max(lo, 1);
      if (hi > negLo) table.fill(positive & 0x7f, 65537 - hi, 65537 - negLo);
    }
  }
  return table;
}

/**
 * μ-law bytes → PCM16 samples. Writes into `out` when given (it must hold `bytes.length`
 * samples) and returns the filled view; otherwise allocates.
 */
export function decodeMulaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  const n = bytes.length;
  if (out !== undefined && out.length < n) throw outputTooSmall(out.length, n);
  const dst = out === undefined ? new Int16Array(n) : out.subarray(0, n);
  const table = DECODE_TABLE;
  for (let i = 0; i < n; i++) dst[i] = table[bytes[i] ?? 0xff] ?? 0;
  return dst;
}

/**
 * PCM16 samples → μ-law bytes. Writes into `out` when given (it must hold `samples.length`
 * bytes) and returns the filled view; otherwise allocates.
 */
export function encodeMulaw(samples: Int16Array, out?: Uint8Array): Uint8Array {
  const n = samples.length;
  if (out !== undefined && out.length < n) throw outputTooSmall(out.length, n);
  const dst = out === undefined ? new Uint8Array(n) : out.subarray(0, n);
  const table = getEncodeTable();
  for (let i = 0; i < n; i++) dst[i] = table[(samples[i] ?? 0) & 0xffff] ?? 0xff;
  return dst;
}

function outputTooSmall(have: number, need: number): RangeError {
  return new RangeError(`output array holds ${have} elements, needs ${need}`);
}
