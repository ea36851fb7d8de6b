/**
 * GET /v1/agent/calls/{id}/recording: the call's WAV from R2, for the key's own account only,
 * with single-range requests (`bytes=a-b`, `bytes=a-`, `bytes=-n`) as players and browsers send.
 */
import { findCall } from "../db/calls.queries";
import { type Db, store } from "../db/client";
import { ApiError } from "../errors";

type Range = { offset: number; length: number };

export async function recordingResponse(
  db: Db,
  bucket: R2Bucket,
  accountId: string,
  callId: string,
  rangeHeader: string | undefined,
): Promise<Response> {
  const call = await store(() => findCall(db, accountId, callId));
  if (!call?.recordingKey) throw new ApiError("not_found");
  const key = call.recordingKey;
  const head = await store(() => bucket.head(key));
  if (!head) throw new ApiError("not_found");
  const size = head.size;
  const headers = new Headers({
    "content-type": "audio/wav",
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=3600",
    etag: head.httpEtag,
  });
  const range = rangeHeader ? parseRange(rangeHeader, size) : undefined;
  if (range === null) {
    // The error body is JSON: only the range header goes with it, not the WAV's content type.
    throw new ApiError("range_not_satisfiable", {
      headers: { "content-range": `bytes */${size}` },
    });
  }
  const object = await store(() => bucket.get(key, range ? { range } : {}));
  if (!object) throw new ApiError("not_found");
  if (!range) {
    headers.set("content-length", String(size));
    return new Response(object.body, { status: 200, headers });
  }
  headers.set("content-length", String(range.length));
  headers.set("content-range", `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`);
  return new Response(object.body, { status: 206, headers });
}

/** undefined: no usable range (serve all); null: unsatisfiable. Multiple ranges are served whole. */
function parseRange(header: string, size: number): Range | undefined | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, from, to] = m;
  if (!from && !to) return undefined;
  if (!from) {
    const suffix = Number(to);
    if (suffix === 0) return null;
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(from);
  if (start >= size) return null;
  const end = to ? Math.min(Number(to), size - 1) : size - 1;
  if (end < start) return null;
  return { offset: start, length: end - start + 1 };
}
