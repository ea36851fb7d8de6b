/**
 * Byte-level helpers for the media legs: PCM16 little-endian bytes ↔ Int16Array (Gemini sends and
 * receives raw 16-bit LE PCM, protocols.md §C) and base64 ↔ bytes (every audio payload on both
 * WebSockets is base64 inside JSON).
 *
 * base64 uses the native `Uint8Array.fromBase64` / `Uint8Array.prototype.toBase64` (TC39, shipped
 * in newer V8) when the runtime has them, and otherwise `atob`/`btoa`, which workerd and Node both
 * provide. On Node 22 the fallback was measured at about 2.6 µs to decode and 3.6 µs to encode
 * 960 bytes, on par with a hand-written table codec, so no JS codec is kept.
 */

/** Every runtime we target is little-endian; the check keeps a big-endian host correct. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * PCM16 LE bytes → samples. Always returns a new, aligned array (never a view of `bytes`), so
 * any `byteOffset` works, odd ones included. A trailing odd byte is ignored.
 */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1;
  if (LITTLE_ENDIAN) {
    // slice() copies into a fresh buffer starting at offset 0, which Int16Array requires.
    return new Int16Array(bytes.slice(0, n * 2).buffer);
  }
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const lo = bytes[2 * i] ?? 0;
    const hi = bytes[2 * i + 1] ?? 0;
    out[i] = (hi << 8) | lo; // Int16Array storage wraps 0x8000–0xFFFF to negative.
  }
  return out;
}

/** Samples → PCM16 LE bytes, as a new array (never a view of `samples`). */
export function pcm16ToBytes(samples: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN) {
    return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength).slice();
  }
  const out = new Uint8Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    out[2 * i] = s & 0xff;
    out[2 * i + 1] = (s >> 8) & 0xff;
  }
  return out;
}

/**
 * PCM16 LE bytes → samples without copying, for bytes the caller owns and will not reuse (a
 * freshly decoded payload): a view when the host is little-endian and the offset is aligned,
 * else a copy as `pcm16FromBytes` makes. Saves an allocation and a copy per 20 ms frame.
 */
export function pcm16View(bytes: Uint8Array): Int16Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  }
  return pcm16FromBytes(bytes);
}

/** Samples → PCM16 LE bytes without copying (a view) on a little-endian host; else a copy. */
export function pcm16BytesView(samples: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  return pcm16ToBytes(samples);
}

type NativeFromBase64 = (text: string) => Uint8Array;
type NativeToBase64 = (this: Uint8Array) => string;

// The TS `es2023` lib has no typings for these yet, hence the structural reads.
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: NativeFromBase64 }).fromBase64;
const nativeToBase64 = (Uint8Array.prototype as unknown as { toBase64?: NativeToBase64 }).toBase64;

/** Which base64 implementation this runtime uses (reported by tests and the benchmark). */
export const BASE64_IMPL: "native" | "atob/btoa" =
  typeof nativeFromBase64 === "function" && typeof nativeToBase64 === "function"
    ? "native"
    : "atob/btoa";

/** Standard base64 (padding optional) → bytes. Throws on characters outside the alphabet. */
export function base64ToBytes(text: string): Uint8Array {
  if (nativeFromBase64 !== undefined) return nativeFromBase64.call(Uint8Array, text);
  return decodeBase64ViaAtob(text);
}

/** The `atob` path of `base64ToBytes`, exported so tests cover it on runtimes with the native one. */
export function decodeBase64ViaAtob(text: string): Uint8Array {
  const bin = atob(text);
  const n = bin.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** `String.fromCharCode.apply` takes the bytes as arguments; stay well below engine limits. */
const BTOA_CHUNK = 0x2000;

/** Bytes → standard padded base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  if (nativeToBase64 !== undefined) return nativeToBase64.call(bytes);
  return encodeBase64ViaBtoa(bytes);
}

/** The `btoa` path of `bytesToBase64`, exported so tests cover it on runtimes with the native one. */
export function encodeBase64ViaBtoa(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += BTOA_CHUNK) {
    // A typed array is array-like, which `apply` accepts; the cast only satisfies the typings.
    bin += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + BTOA_CHUNK) as unknown as number[],
    );
  }
  return btoa(bin);
}
