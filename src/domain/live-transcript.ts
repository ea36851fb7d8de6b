/**
 * Live transcript events (request field `liveEvents: ["transcript"]`): every finished utterance
 * goes out as a `call.transcript` webhook event while the call runs.
 *
 * Each line is numbered per call from 1 in the order it finished (`sequence`), so a receiver
 * orders and de-duplicates lines whatever order deliveries arrive in. A call sends at most one
 * event a second while the call runs: a line that finishes within a second of the last event waits
 * for the next one, which carries every line that waited. Lines still waiting when the record is
 * final go out at once, just before the terminal event (the one exception to the second); later
 * lines are only in the terminal record's transcript.
 */
import { z } from "zod";
import type { TranscriptLine } from "./transcript";

export const LIVE_EVENT_KINDS = ["transcript"] as const;
export type LiveEventKind = (typeof LIVE_EVENT_KINDS)[number];

export const LiveEventsRequestSchema = z
  .array(z.enum(LIVE_EVENT_KINDS))
  .max(LIVE_EVENT_KINDS.length)
  .refine((kinds) => new Set(kinds).size === kinds.length)
  .describe(
    'Live webhook events to add: `["transcript"]` sends `call.transcript` events (finished utterances, at most one event a second). Malformed → 400 invalid_live_events.',
  );

/** The shortest time between two `call.transcript` events of one call. */
export const TRANSCRIPT_BATCH_MS = 1000;

export type SequencedLine = TranscriptLine & { sequence: number };

export type TranscriptFeed = {
  /** Lines numbered so far (every line, whether or not the call sends transcript events). */
  numbered: number;
  /** Lines that finished within a second of the last event, waiting for the next one. */
  waiting: SequencedLine[];
  lastSentAt: number | null;
  /** The terminal event is out: no more transcript events. */
  closed: boolean;
};

export const NO_FEED: TranscriptFeed = {
  numbered: 0,
  waiting: [],
  lastSentAt: null,
  closed: false,
};

export type FeedStep = { feed: TranscriptFeed; line: SequencedLine; batch: SequencedLine[] | null };

/** A finished line: numbered, and sent at once when a second has passed since the last event. */
export function feedLine(
  feed: TranscriptFeed,
  line: TranscriptLine,
  sending: boolean,
  now: number,
): FeedStep {
  const sequenced: SequencedLine = { ...line, sequence: feed.numbered + 1 };
  const numbered = { ...feed, numbered: sequenced.sequence };
  if (!sending || feed.closed) return { feed: numbered, line: sequenced, batch: null };
  const waiting = [...feed.waiting, sequenced];
  if (feed.lastSentAt !== null && now < feed.lastSentAt + TRANSCRIPT_BATCH_MS)
    return { feed: { ...numbered, waiting }, line: sequenced, batch: null };
  return { feed: { ...numbered, waiting: [], lastSentAt: now }, line: sequenced, batch: waiting };
}

/** When the waiting lines are due (null: none wait). */
export function feedDueAt(feed: TranscriptFeed): number | null {
  if (feed.waiting.length === 0 || feed.closed) return null;
  return (feed.lastSentAt ?? 0) + TRANSCRIPT_BATCH_MS;
}

/** The waiting lines, when they are due or the call's terminal event is next (`closing`). */
export function flushFeed(
  feed: TranscriptFeed,
  now: number,
  closing: boolean,
): { feed: TranscriptFeed; batch: SequencedLine[] | null } {
  const due = feedDueAt(feed);
  const closed = closing || feed.closed;
  if (due === null || (!closing && now < due)) return { feed: { ...feed, closed }, batch: null };
  return { feed: { ...feed, waiting: [], lastSentAt: now, closed }, batch: feed.waiting };
}
