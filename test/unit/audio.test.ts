import { describe, expect, it } from "vitest";
import {
  decodeMulaw,
  decodeMulawSample,
  encodeMulaw,
  encodeMulawSample,
} from "../../src/audio/mulaw";
import {
  BASE64_IMPL,
  base64ToBytes,
  bytesToBase64,
  decodeBase64ViaAtob,
  encodeBase64ViaBtoa,
  pcm16BytesView,
  pcm16FromBytes,
  pcm16ToBytes,
  pcm16View,
} from "../../src/audio/pcm";
import { Downsampler3x, Upsampler2x } from "../../src/audio/resample";
import { wavHeader } from "../../src/audio/wav";
import { mulberry32 } from "../prng";

function noise(n: number, seed: number, amplitude = 20_000): Int16Array {
  const r = mulberry32(seed);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((r() * 2 - 1) * amplitude);
  return out;
}

function tone(freq: number, sampleRate: number, n: number, amplitude: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / sampleRate));
  return out;
}

function rms(x: Int16Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / x.length);
}

const dB = (ratio: number) => 20 * Math.log10(ratio);

/** Amplitude of the `freq` component (Goertzel), normalised so a sine of amplitude A gives ≈ A. */
function goertzel(x: Int16Array, freq: number, sampleRate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2))) / x.length;
}

/** Frequency from the first and last rising zero crossings (linearly interpolated). */
function zeroCrossingFrequency(x: Int16Array, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < x.length; i++) {
    const a = x[i - 1] ?? 0;
    const b = x[i] ?? 0;
    if (a < 0 && b >= 0) {
      const t = i - 1 + -a / (b - a);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * sampleRate) / (last - first);
}

/** Feeds `input` in random-sized chunks (0 included) and concatenates the outputs. */
function processChunked(
  resampler: { process(input: Int16Array): Int16Array },
  input: Int16Array,
  nextSize: () => number,
): Int16Array {
  const parts: Int16Array[] = [];
  let total = 0;
  for (let i = 0; i < input.length; ) {
    const size = Math.min(nextSize(), input.length - i);
    const part = resampler.process(input.subarray(i, i + size));
    parts.push(part);
    total += part.length;
    i += size;
  }
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("μ-law", () => {
  it("decodes the reference check values", () => {
    const out = decodeMulaw(new Uint8Array([0x00, 0x7f, 0x80, 0xff]));
    expect(Array.from(out)).toEqual([-32124, 0, 32124, 0]);
  });

  it("encodes silence as 0xFF and the extremes as 0x80 / 0x00", () => {
    expect(Array.from(encodeMulaw(new Int16Array([0, 32767, -32768, -1])))).toEqual([
      0xff, 0x80, 0x00, 0x7f,
    ]);
  });

  it("matches the encoder formula of protocols.md §E for all 65536 inputs", () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i - 32768;
    const encoded = encodeMulaw(all);
    const mismatches: { input: number; got: number | undefined; expected: number }[] = [];
    for (let i = 0; i < 65536; i++) {
      // Independent form: find the exponent by scanning rather than with clz32.
      const s0 = i - 32768;
      const sign = s0 < 0 ? 0x80 : 0;
      const s = Math.min(Math.abs(s0), 32635) + 0x84;
      let exp = 7;
      while (exp > 0 && ((s >> 7) & (1 << exp)) === 0) exp--;
      const expected = ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f)) & 0xff;
      if (encoded[i] !== expected) mismatches.push({ input: s0, got: encoded[i], expected });
    }
    expect(mismatches).toEqual([]);
  });

  it("round-trips all 256 codes except 0x7F (negative zero), which re-encodes as 0xFF", () => {
    const codes = new Uint8Array(256).map((_, i) => i);
    const back = encodeMulaw(decodeMulaw(codes));
    const changed = Array.from(codes).filter((c) => back[c] !== c);
    expect(changed).toEqual([0x7f]);
    expect(back[0x7f]).toBe(0xff);
  });

  it("is sign-symmetric", () => {
    for (let c = 0; c < 256; c++) {
      // `0 - x` rather than `-x`: 0x7F and 0xFF both decode to +0, and toBe(-0) fails on +0.
      expect(decodeMulawSample(c ^ 0x80)).toBe(0 - decodeMulawSample(c));
    }
    for (let s = 1; s <= 32767; s++) {
      expect(encodeMulawSample(-s)).toBe(encodeMulawSample(s) ^ 0x80);
    }
    expect(encodeMulawSample(-32768)).toBe(encodeMulawSample(-32767));
  });

  it("reconstructs every input within half a quantisation step, up to the clip", () => {
    let worst = 0;
    for (let s = -32635; s <= 32635; s++) {
      const code = encodeMulawSample(s);
      const exp = (~code & 0x70) >> 4;
      // Levels in segment `exp` are 8 << exp apart and the decoder returns the interval's
      // midpoint, so the error is at most 4 << exp.
      worst = Math.max(worst, Math.abs(decodeMulawSample(code) - s) / (4 << exp));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("writes into a caller-supplied buffer and rejects one that is too small", () => {
    const out = new Int16Array(8);
    const view = decodeMulaw(new Uint8Array([0x00, 0x80]), out);
    expect(view.buffer).toBe(out.buffer);
    expect(Array.from(view)).toEqual([-32124, 32124]);
    expect(() => encodeMulaw(new Int16Array(4), new Uint8Array(3))).toThrow(RangeError);
  });
});

describe("resamplers: streaming", () => {
  const cases = [
    { name: "Upsampler2x", make: () => new Upsampler2x(), ratio: 2 },
    { name: "Downsampler3x", make: () => new Downsampler3x(), ratio: 1 / 3 },
  ];

  for (const { name, make, ratio } of cases) {
    it(`${name}: random chunk sizes give the one-shot output sample for sample`, () => {
      const input = noise(12_000, 7);
      const whole = make().process(input);
      expect(whole.length).toBe(Math.ceil(input.length * ratio));
      const r = mulberry32(99);
      for (let trial = 0; trial < 5; trial++) {
        const max = [4, 37, 500, 1500, 5000][trial] ?? 1;
        const chunked = processChunked(make(), input, () => Math.floor(r() * (max + 1)));
        expect(chunked).toEqual(whole);
      }
    });

    it(`${name}: reset() forgets history`, () => {
      const input = noise(3_001, 3);
      const fresh = make().process(input);
      const used = make();
      used.process(noise(1_000, 4));
      used.process(noise(2, 5)); // leaves the decimator mid-phase
      used.reset();
      expect(used.process(input)).toEqual(fresh);
    });

    it(`${name}: saturates instead of wrapping on full-scale steps`, () => {
      const input = new Int16Array(3_000);
      input.fill(-32768, 0, 1_500);
      input.fill(32767, 1_500);
      // Skip the ring-in from the all-zero history, which legitimately crosses zero.
      const out = make()
        .process(input)
        .subarray(Math.round(500 * ratio));
      // Gibbs overshoot is clipped: a wrapped sample would flip sign and add crossings.
      let signChanges = 0;
      for (let i = 1; i < out.length; i++) {
        if ((out[i - 1] ?? 0) < 0 !== (out[i] ?? 0) < 0) signChanges++;
      }
      expect(signChanges).toBe(1);
      expect(Math.max(...out)).toBe(32767);
      expect(Math.min(...out)).toBe(-32768);
    });
  }

  it("Downsampler3x: frames that are not multiples of 3 carry the phase", () => {
    const input = noise(9_000, 11);
    const whole = new Downsampler3x().process(input);
    for (const sizes of [[1], [2], [4, 5], [7, 11, 13], [479, 481], [1, 2, 959]]) {
      let k = 0;
      const d = new Downsampler3x();
      const lengths: number[] = [];
      const out = processChunked(
        {
          process: (x) => {
            const y = d.process(x);
            lengths.push(y.length);
            return y;
          },
        },
        input,
        () => sizes[k++ % sizes.length] ?? 1,
      );
      expect(out).toEqual(whole);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(3_000);
    }
    // One sample at a time: outputs on the 1st, 4th, 7th… call, nothing in between.
    const d = new Downsampler3x();
    const counts = Array.from({ length: 7 }, (_, i) => d.process(input.subarray(i, i + 1)).length);
    expect(counts).toEqual([1, 0, 0, 1, 0, 0, 1]);
  });
});

describe("resamplers: audio quality", () => {
  // Skip the filters' warm-up (both delays are < 32 output samples) and keep whole seconds.
  const WARMUP = 200;

  it("8k → 16k keeps a 1 kHz tone's frequency and level, and rejects its 7 kHz image", () => {
    const input = tone(1000, 8000, 8_000 + WARMUP, 10_000);
    const out = new Upsampler2x().process(input).subarray(2 * WARMUP);
    const ref = input.subarray(WARMUP);
    expect(Math.abs(zeroCrossingFrequency(out, 16_000) - 1000)).toBeLessThan(0.5);
    expect(Math.abs(dB(rms(out) / rms(ref)))).toBeLessThan(0.1);
    const image = goertzel(out, 7000, 16_000) / goertzel(out, 1000, 16_000);
    expect(dB(image)).toBeLessThan(-60);
  });

  it("24k → 8k keeps a 1 kHz tone's frequency and level", () => {
    const input = tone(1000, 24_000, 24_000 + 3 * WARMUP, 10_000);
    const out = new Downsampler3x().process(input).subarray(WARMUP);
    expect(Math.abs(zeroCrossingFrequency(out, 8000) - 1000)).toBeLessThan(0.5);
    expect(Math.abs(dB(rms(out) / rms(input.subarray(3 * WARMUP))))).toBeLessThan(0.1);
  });

  it("24k → 8k attenuates a 6 kHz tone by at least 40 dB (and anything from 4.6 kHz by 55 dB)", () => {
    const level = (freq: number) => {
      const input = tone(freq, 24_000, 24_000 + 3 * WARMUP, 16_000);
      const out = new Downsampler3x().process(input).subarray(WARMUP);
      return dB(rms(out) / rms(input.subarray(3 * WARMUP)));
    };
    expect(level(6000)).toBeLessThan(-40);
    for (const f of [4600, 5000, 6000, 7000, 8000, 9000, 10_000, 11_000, 11_900]) {
      expect(level(f)).toBeLessThan(-55);
    }
    // Telephone band edge: still within 1 dB.
    expect(level(3400)).toBeGreaterThan(-1);
  });
});

describe("PCM16 bytes", () => {
  it("reads little-endian samples at any byte offset and ignores a trailing odd byte", () => {
    const raw = new Uint8Array([0xaa, 0x01, 0x00, 0xff, 0x7f, 0x00, 0x80, 0xff, 0xff, 0x42]);
    const odd = raw.subarray(1); // byteOffset 1: an Int16Array view there would throw
    expect(Array.from(pcm16FromBytes(odd))).toEqual([1, 32767, -32768, -1]);
    const even = raw.subarray(2, 9); // 7 bytes: 00 ff | 7f 00 | 80 ff | ff
    expect(Array.from(pcm16FromBytes(even))).toEqual([-256, 127, -128]);
  });

  it("writes little-endian bytes and round-trips, without aliasing either input", () => {
    const samples = new Int16Array([1, 32767, -32768, -1, 0]);
    const bytes = pcm16ToBytes(samples.subarray(1, 4));
    expect(Array.from(bytes)).toEqual([0xff, 0x7f, 0x00, 0x80, 0xff, 0xff]);
    expect(pcm16FromBytes(bytes)).toEqual(samples.subarray(1, 4));
    bytes[0] = 0;
    expect(samples[1]).toBe(32767);
    const back = pcm16FromBytes(bytes);
    bytes[1] = 0;
    expect(back[0]).toBe(0x7f00);
  });

  it("views read and write the same samples in place, and copy where a view cannot be aligned", () => {
    const raw = new Uint8Array([0xaa, 0x01, 0x00, 0xff, 0x7f, 0x00, 0x80, 0xff, 0xff, 0x42]);
    const aligned = raw.subarray(2, 9); // 7 bytes at an even offset: 3 samples, the odd byte ignored
    const view = pcm16View(aligned);
    expect(Array.from(view)).toEqual([-256, 127, -128]);
    raw[2] = 0x01; // a view: the change shows through
    expect(view[0]).toBe(-255);
    const odd = raw.subarray(1);
    const copied = pcm16View(odd); // odd offset: copied, same values as pcm16FromBytes
    expect(copied).toEqual(pcm16FromBytes(odd));
    expect(copied[0]).toBe(0x0101);
    raw[1] = 0x02; // a copy: the change does not show through
    expect(copied[0]).toBe(0x0101);

    const samples = new Int16Array([1, 32767, -32768, -1, 0]);
    const bytes = pcm16BytesView(samples.subarray(1, 4));
    expect(Array.from(bytes)).toEqual([0xff, 0x7f, 0x00, 0x80, 0xff, 0xff]);
    expect(bytes).toEqual(pcm16ToBytes(samples.subarray(1, 4)));
  });
});

describe("base64", () => {
  const impls = [
    { name: `runtime (${BASE64_IMPL})`, encode: bytesToBase64, decode: base64ToBytes },
    { name: "atob/btoa fallback", encode: encodeBase64ViaBtoa, decode: decodeBase64ViaAtob },
  ];
  for (const { name, encode, decode } of impls) {
    it(`${name}: known vectors and round trips of every length 0–64 and frame sizes`, () => {
      expect(encode(new Uint8Array([1, 2, 3, 255]))).toBe("AQID/w==");
      expect(Array.from(decode("AQID/w=="))).toEqual([1, 2, 3, 255]);
      expect(encode(new Uint8Array(0))).toBe("");
      const r = mulberry32(5);
      for (const n of [...Array.from({ length: 65 }, (_, i) => i), 160, 640, 960, 20_000]) {
        const bytes = new Uint8Array(n).map(() => Math.floor(r() * 256));
        const text = encode(bytes);
        expect(text.length).toBe(Math.ceil(n / 3) * 4);
        expect(decode(text)).toEqual(bytes);
      }
    });

    it(`${name}: rejects characters outside the alphabet`, () => {
      expect(() => decode("AQ*D")).toThrow();
    });
  }

  it("a 20 ms Twilio frame is 160 bytes = 216 base64 characters", () => {
    // Silence is 0xFF: 53 groups of "////" and a final lone byte "/w==".
    expect(bytesToBase64(encodeMulaw(new Int16Array(160)))).toBe(`${"/".repeat(212)}/w==`);
  });
});

describe("WAV", () => {
  // 1 s of 8 kHz 16-bit stereo: byteRate 8000·4 = 32000, dataBytes 32000, RIFF size 32036.
  const EXPECTED = [
    ...[0x52, 0x49, 0x46, 0x46], // "RIFF"
    ...[0x24, 0x7d, 0x00, 0x00], // 32036
    ...[0x57, 0x41, 0x56, 0x45], // "WAVE"
    ...[0x66, 0x6d, 0x74, 0x20], // "fmt "
    ...[0x10, 0x00, 0x00, 0x00], // 16
    ...[0x01, 0x00], // PCM
    ...[0x02, 0x00], // 2 channels
    ...[0x40, 0x1f, 0x00, 0x00], // 8000 Hz
    ...[0x00, 0x7d, 0x00, 0x00], // 32000 bytes/s
    ...[0x04, 0x00], // block align 4
    ...[0x10, 0x00], // 16 bits
    ...[0x64, 0x61, 0x74, 0x61], // "data"
    ...[0x00, 0x7d, 0x00, 0x00], // 32000
  ];
  const format = { sampleRate: 8000, channels: 2, bitsPerSample: 16 };

  it("writes the 44-byte header for a known size", () => {
    expect(Array.from(wavHeader({ ...format, dataBytes: 32_000 }))).toEqual(EXPECTED);
  });

  it("pads the RIFF size for an odd data chunk and rejects bad arguments", () => {
    const mono8 = wavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 8, dataBytes: 3 });
    const view = new DataView(mono8.buffer);
    expect(view.getUint32(4, true)).toBe(36 + 3 + 1);
    expect(view.getUint32(40, true)).toBe(3);
    expect(() => wavHeader({ ...format, bitsPerSample: 24, dataBytes: 0 })).toThrow(RangeError);
    expect(() => wavHeader({ ...format, dataBytes: -1 })).toThrow(RangeError);
  });
});
