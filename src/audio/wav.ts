/**
 * WAV (RIFF, PCM format 1) headers for call recordings. A recording is written as one 44-byte
 * header followed by the raw little-endian samples, interleaved when stereo (left = caller,
 * right = agent).
 *
 * Layout (all integers little-endian):
 *
 *   0 "RIFF"  4 u32 36 + dataBytes  8 "WAVE"
 *  12 "fmt "  16 u32 16  20 u16 1 (PCM)  22 u16 channels  24 u32 sampleRate
 *  28 u32 byteRate = sampleRate·blockAlign  32 u16 blockAlign = channels·bitsPerSample/8
 *  34 u16 bitsPerSample
 *  36 "data"  40 u32 dataBytes  44 samples…
 *
 * When streaming, write `streamingWavHeader(format)` first and, once the length is known, call
 * `patchWavHeader(header, dataBytes)` (or rewrite bytes 4–7 and 40–43 in storage with the values
 * from `wavHeader`).
 */

export const WAV_HEADER_BYTES = 44;

/**
 * Largest data size a header can describe, also written by `streamingWavHeader` while the real
 * size is unknown: the RIFF size 36 + n must fit a u32 (n ≤ 0xFFFFFFDB), rounded down to a
 * multiple of 4 so it is whole stereo 16-bit frames: 0xFFFFFFD8. Decoders that read until end of
 * file (ffmpeg, sox, browsers) play such files; patch the header when the call ends.
 */
const WAV_MAX_DATA_BYTES = 0xffff_ffd8;

export interface WavFormat {
  /** Samples per second per channel, e.g. 8000. */
  sampleRate: number;
  /** 1 = mono, 2 = stereo (caller left, agent right). */
  channels: number;
  /** 8 or 16; recordings use 16. */
  bitsPerSample: number;
}

export interface WavHeaderOptions extends WavFormat {
  /** Length of the sample data that follows the header, in bytes. */
  dataBytes: number;
}

/** The 44-byte header for a file whose sample data is exactly `dataBytes` long. */
export function wavHeader(options: WavHeaderOptions): Uint8Array {
  const { sampleRate, channels, bitsPerSample } = options;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffff_ffff) {
    throw new RangeError(`invalid sampleRate ${sampleRate}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 8) {
    throw new RangeError(`invalid channels ${channels}`);
  }
  if (bitsPerSample !== 8 && bitsPerSample !== 16) {
    throw new RangeError(`unsupported bitsPerSample ${bitsPerSample}`);
  }
  const blockAlign = (channels * bitsPerSample) / 8;
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  writeAscii(header, 0, "RIFF");
  writeAscii(header, 8, "WAVE");
  writeAscii(header, 12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size for plain PCM
  view.setUint16(20, 1, true); // format tag 1 = integer PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitsPerSample, true);
  writeAscii(header, 36, "data");
  patchWavHeader(header, options.dataBytes);
  return header;
}

/**
 * Writes the two size fields of a header: RIFF size (offset 4) = 36 + dataBytes + pad byte if
 * odd, data size (offset 40) = dataBytes.
 */
function patchWavHeader(header: Uint8Array, dataBytes: number): void {
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > WAV_MAX_DATA_BYTES) {
    throw new RangeError(`invalid dataBytes ${dataBytes}`);
  }
  const view = new DataView(header.buffer, header.byteOffset, WAV_HEADER_BYTES);
  // RIFF chunks are word-aligned: an odd data chunk is followed by one pad byte.
  view.setUint32(4, 36 + dataBytes + (dataBytes & 1), true);
  view.setUint32(40, dataBytes, true);
}

function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) target[offset + i] = text.charCodeAt(i);
}
