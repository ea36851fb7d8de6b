/**
 * The per-account do-not-call list and the per-number frequency cap: pure rules and shapes.
 */
import { z } from "zod";
import { pageQuery } from "./call-schemas";

/** Who put a number on the list. */
export const DNC_SOURCES = ["api", "admin", "recipient_request"] as const;
export type DncSource = (typeof DNC_SOURCES)[number];

export const DNC_REASON_MAX = 500;
export const DEFAULT_MAX_CALLS_PER_NUMBER_PER_DAY = 3;
export const FREQUENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export const DncEntrySchema = z.object({
  number: z.string().meta({ examples: ["+14155550123"] }),
  reason: z.string().nullable(),
  source: z.enum(DNC_SOURCES),
  createdAt: z.iso.datetime(),
});
export type DncEntry = z.infer<typeof DncEntrySchema>;

export const DncListResponseSchema = z.object({
  entries: z.array(DncEntrySchema),
  nextCursor: z.string().nullable(),
});

/**
 * The frequency cap's verdict: undefined when the placement may go ahead, else the seconds until
 * the oldest counted call leaves the 24-hour window (at least 1).
 */
export function frequencyRetryAfterSec(
  counted: number,
  oldestCreatedAt: string | null,
  max: number,
  now: number,
): number | undefined {
  if (counted < max) return undefined;
  const oldest = oldestCreatedAt === null ? now : Date.parse(oldestCreatedAt);
  return Math.max(1, Math.ceil((oldest + FREQUENCY_WINDOW_MS - now) / 1000));
}

export const DncListQuerySchema = z.object(pageQuery("entries"));

export const AddDncBodySchema = z.object({
  number: z
    .string()
    .describe("E.164; normalised (an invalid number is `invalid_number`).")
    .meta({ examples: ["+14155550123"] }),
  reason: z.string().max(DNC_REASON_MAX).nullish().describe("Why; at most 500 characters."),
});

/** The token for a body that does not fit AddDncBodySchema. */
export function tokenForDncBodyIssues(
  issues: readonly z.core.$ZodIssue[],
): "invalid_json" | "invalid_number" | "invalid_request" {
  const key = issues[0]?.path[0];
  if (key === undefined) return "invalid_json";
  return key === "number" ? "invalid_number" : "invalid_request";
}

/** The token for a list query that does not fit DncListQuerySchema. */
export function tokenForDncQueryIssues(
  issues: readonly z.core.$ZodIssue[],
): "invalid_limit" | "invalid_cursor" | "invalid_request" {
  const key = issues[0]?.path[0];
  if (key === "limit") return "invalid_limit";
  return key === "cursor" ? "invalid_cursor" : "invalid_request";
}
