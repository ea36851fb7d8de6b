/**
 * Records both sides of a call to R2 as a stereo WAV (left = recipient, right = agent, 8 kHz
 * PCM16) while the call runs, in bounded memory. The recipient's audio arrives in real time and
 * is the clock; agent audio arrives in bursts ahead of playback and is laid on the timeline from
 * where the recipient is, so a barge-in `clear` can drop what was never played.
 *
 * Short calls are one `put`. Longer ones become a multipart upload with equal 5 MiB parts; part 1
 * (the header plus the first audio) is uploaded as soon as it is full, with a header for an open
 * length, and again at the end with the exact one. Every part saved is reported (`onSaved`), so
 * that a session that restarts mid-call can complete the upload with what was saved: the
 * recording up to the last full part, its header still saying "open length".
 */
import { pcm16ToBytes } from "../audio/pcm";
import { WAV_HEADER_BYTES, wavHeader } from "../audio/wav";
import type { SavedRecording } from "../domain/call-record";

export const PART_BYTES = 5 * 1024 * 1024;

const FORMAT = { sampleRate: 8000, channels: 2, bitsPerSample: 16 } as const;
/** Interleave and hand over audio in one-second blocks. */
const BLOCK_SAMPLES = 8000;

export class Recorder {
  /** Samples of each channel not yet written out. */
  private readonly left = new SampleQueue();
  private readonly right = new SampleQueue();
  /**
   * The part being filled with interleaved audio. Blocks are copied straight into it, so cutting
   * a part costs no copy of its 5 MiB (a concat-and-slice stalled the audio path ~30 ms a part).
   */
  private part = new Uint8Array(PART_BYTES - WAV_HEADER_BYTES);
  private partFill = 0;
  private firstPart: Uint8Array | undefined;
  private upload: Promise<R2MultipartUpload> | undefined;
  private uploads: Promise<R2UploadedPart>[] = [];
  /** Parts 2, 3, … in order as they fill; part 1 first when full, and again at the end. */
  private nextPart = 2;
  private readonly saved = new Map<number, R2UploadedPart>();
  private dataBytes = 0;
  private failed = false;

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    private readonly onSaved: (saved: SavedRecording) => void = () => {},
  ) {}

  recipient(pcm: Int16Array): void {
    this.left.append(pcm);
    if (this.left.length >= BLOCK_SAMPLES) this.flushBlock(this.left.length);
  }

  agent(pcm: Int16Array): void {
    // Agent audio plays from now (where the recipient's clock is), after whatever is still queued.
    this.right.padTo(this.left.length);
    this.right.append(pcm);
  }

  /** Barge-in: agent audio not yet played is dropped from the recording, as from the line. */
  clearAgent(): void {
    this.right.truncate(this.left.length);
  }

  /** Writes what remains and completes the object; returns its key, or undefined if nothing was recorded. */
  async finish(): Promise<string | undefined> {
    this.flushBlock(Math.max(this.left.length, this.right.length));
    if (this.failed) return undefined;
    const rest = this.part.subarray(0, this.partFill);
    const total = this.dataBytes;
    if (total === 0) return undefined;
    const header = wavHeader({ ...FORMAT, dataBytes: total });
    if (!this.upload) {
      await this.bucket.put(
        this.key,
        concat(
          [header, ...(this.firstPart ? [this.firstPart] : []), rest],
          WAV_HEADER_BYTES + total,
        ),
        {
          httpMetadata: { contentType: "audio/wav" },
        },
      );
      return this.key;
    }
    const upload = await this.upload;
    if (rest.length > 0) this.uploads.push(upload.uploadPart(this.nextPart++, rest));
    // Part 1 again, now with the exact length; it replaces the one saved with an open length.
    const first = upload.uploadPart(
      1,
      concat([header, this.firstPart ?? new Uint8Array()], PART_BYTES),
    );
    const parts = await Promise.all([first, ...this.uploads]);
    await upload.complete(parts);
    return this.key;
  }

  /** Gives up on the recording (the call goes on); an unfinished multipart upload is aborted. */
  async abort(): Promise<void> {
    this.failed = true;
    const upload = await this.upload?.catch(() => undefined);
    await upload?.abort().catch(() => undefined);
  }

  private flushBlock(samples: number): void {
    if (samples === 0) return;
    const stereo = new Int16Array(samples * 2);
    this.left.drainInto(stereo, 0, samples);
    this.right.drainInto(stereo, 1, samples);
    const bytes = pcm16ToBytes(stereo);
    this.dataBytes += bytes.length;
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, this.part.length - this.partFill);
      this.part.set(bytes.subarray(from, from + n), this.partFill);
      this.partFill += n;
      from += n;
      if (this.partFill === this.part.length) this.cutPart();
    }
  }

  /** Part 1 is the header plus less audio, so that every part but the last is PART_BYTES. */
  private cutPart(): void {
    if (this.firstPart) this.uploadPart(this.nextPart++, this.part);
    else {
      this.firstPart = this.part;
      const openLength = wavHeader({ ...FORMAT, dataBytes: OPEN_LENGTH_BYTES });
      this.uploadPart(1, concat([openLength, this.firstPart], PART_BYTES), false);
    }
    this.part = new Uint8Array(PART_BYTES);
    this.partFill = 0;
  }

  /** `final`: the part goes into the completed object (part 1's open-length copy does not). */
  private uploadPart(partNumber: number, part: Uint8Array, final = true): void {
    this.upload ??= this.bucket.createMultipartUpload(this.key, {
      httpMetadata: { contentType: "audio/wav" },
    });
    const upload = this.upload;
    const uploaded = upload.then((u) => u.uploadPart(partNumber, part));
    uploaded.then(
      async (done) => {
        this.saved.set(partNumber, done);
        const parts = [...this.saved.values()].sort((a, b) => a.partNumber - b.partNumber);
        this.onSaved({ uploadId: (await upload).uploadId, parts });
      },
      (e) => {
        console.error("recording upload failed", { key: this.key, error: String(e) });
        this.failed = true;
      },
    );
    if (final) this.uploads.push(uploaded);
  }
}

/** One channel's samples waiting to be written: a growable Int16Array, oldest first. */
class SampleQueue {
  private buf = new Int16Array(2 * BLOCK_SAMPLES);
  length = 0;

  append(pcm: Int16Array): void {
    this.reserve(this.length + pcm.length);
    this.buf.set(pcm, this.length);
    this.length += pcm.length;
  }

  /** Silence up to `length` samples (a new array is zero-filled, a reused one is not). */
  padTo(length: number): void {
    if (length <= this.length) return;
    this.reserve(length);
    this.buf.fill(0, this.length, length);
    this.length = length;
  }

  truncate(length: number): void {
    if (length < this.length) this.length = length;
  }

  /**
   * Moves the first `samples` into every other slot of `stereo` from `channel` (silence past
   * what is queued) and keeps the rest.
   */
  drainInto(stereo: Int16Array, channel: 0 | 1, samples: number): void {
    const n = Math.min(samples, this.length);
    for (let i = 0; i < n; i++) stereo[2 * i + channel] = this.buf[i] as number;
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
  }

  private reserve(length: number): void {
    if (length <= this.buf.length) return;
    const grown = new Int16Array(Math.max(length, 2 * this.buf.length));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
}

/** A WAV data size for a recording whose length was not known when its header was written. */
const OPEN_LENGTH_BYTES = 0xffff_ffd8;

/**
 * Completes a recording whose session restarted mid-call, from the parts it had saved: the audio
 * up to the last full part. Undefined when nothing was saved or the upload is gone.
 */
export async function completeSavedRecording(
  bucket: R2Bucket,
  key: string,
  saved: SavedRecording,
): Promise<string | undefined> {
  if (!saved.parts.some((p) => p.partNumber === 1)) return undefined;
  try {
    await bucket.resumeMultipartUpload(key, saved.uploadId).complete(saved.parts);
    return key;
  } catch (e) {
    console.error("recording could not be completed after a restart", { key, error: String(e) });
    return undefined;
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c.subarray(0, Math.min(c.length, length - at)), at);
    at += c.length;
    if (at >= length) break;
  }
  return out;
}
