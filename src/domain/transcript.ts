/**
 * The transcript model shared by the voice bridge (which appends lines as the model reports
 * finished transcriptions) and the post-call analysis (which cites lines as evidence).
 *
 * A line's number is its index in the array, 0-based, and nothing ever renumbers it: the call's
 * `transcript` field has exactly one text line per entry, in order, so
 * `transcript.split("\n")[evidence.line]` is the line a value was taken from.
 */
import { z } from "zod";

/** `requester`: the answer to a question the agent asked whoever placed the call (questions.ts). */
export const SPEAKERS = ["agent", "recipient", "requester"] as const;
export type Speaker = (typeof SPEAKERS)[number];

export type TranscriptLine = {
  speaker: Speaker;
  text: string;
  /** Milliseconds since the call was answered. */
  offsetMs: number;
};

/** For transcript lines read back from storage. */
export const TranscriptLineSchema = z.object({
  speaker: z.enum(SPEAKERS),
  text: z.string(),
  offsetMs: z.number().int().min(0),
});

/** `mm:ss.t` (tenths, rounded down so a line never shows a time after it was spoken). */
export function formatOffset(offsetMs: number): string {
  const tenths = Number.isFinite(offsetMs) ? Math.max(0, Math.floor(offsetMs / 100)) : 0;
  const minutes = Math.floor(tenths / 600);
  const seconds = Math.floor((tenths % 600) / 10);
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}.${tenths % 10}`;
}

/** One line's text on a single line: embedded line breaks would shift every later line number. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").trim();
}

/** `[00:03.2] agent: Hello…` */
function formatLine(line: TranscriptLine): string {
  return `[${formatOffset(line.offsetMs)}] ${line.speaker}: ${oneLine(line.text)}`;
}

/** The call's `transcript` field: one line per entry, line i of the text = entry i. */
export function formatTranscript(lines: readonly TranscriptLine[]): string {
  return lines.map(formatLine).join("\n");
}

/** The transcript as the analysis model reads it: each line prefixed with its index. */
export function numberedTranscript(lines: readonly TranscriptLine[]): string {
  return lines.map((line, i) => `${i} ${formatLine(line)}`).join("\n");
}
