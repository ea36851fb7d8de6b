/**
 * GET /v1/agent/calls/{id}/recording: the call's WAV from R2, for the key's own account only,
 * with single-range requests (`bytes=a-b`, `bytes=a-`, `bytes=-n`) as players and browsers send.
 */
import { findCall } from "../db/calls.queries";
import type { Db } from "../db/client";
import { ok } from "../lib/result";
import { fail, type Outcome, stored } from "./outcome";

export type Range = { offset: number; length: number };

/** The recording's bytes (all of them, or the one range asked for) and what describes them. */
export type Recording = {
  body: ReadableStream;
  size: number;
  etag: string;
  range: Range | undefined;
};

export async function readRecording(
  db: Db,
  bucket: R2Bucket,
  accountId: string,
  callId: string,
  rangeHeader: string | undefined,
): Promise<Outcome<Recording>> {
  const call = await stored(() => findCall(db, accountId, callId));
  if (!call.ok) return call;
  const key = call.value?.recordingKey;
  if (!key) return fail("not_found");
  const head = await stored(() => bucket.head(key));
  if (!head.ok) return head;
  if (!head.value) return fail("not_found");
  const size = head.value.size;
  const range = rangeHeader ? parseRange(rangeHeader, size) : undefined;
  if (range === null) return fail("range_not_satisfiable", { size });
  const object = await stored(() => bucket.get(key, range ? { range } : {}));
  if (!object.ok) return object;
  if (!object.value) return fail("not_found");
  return ok({ body: object.value.body, size, etag: head.value.httpEtag, range });
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
