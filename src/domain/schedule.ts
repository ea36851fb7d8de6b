/**
 * Scheduling a call: when its Durable Object's alarm dials it. Pure: the instant and the calling
 * hours (as a function of the instant) are given.
 *
 * A call is dialed at max(notBefore, the next calling window at that instant). Without a
 * `schedule`, a placement outside the window is refused (`outside_calling_window`); with one,
 * it is moved into the next window instead. At most MAX_SCHEDULE_AHEAD_MS ahead.
 */
import { z } from "zod";
import type { HoursDecision } from "./calling-hours";

export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 60 * 60 * 1000;

export const ScheduleSchema = z
  .strictObject({
    notBefore: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("Dial no earlier than this instant (ISO 8601 with Z or an offset)."),
    inCallingWindow: z
      .literal(true)
      .optional()
      .describe(
        "Dial when the recipient's calling window is open (the next one, if it is closed).",
      ),
  })
  .describe(
    "Place the call later: it is accepted as `queued` with `scheduledFor`, and dialed then (at most 30 days ahead).",
  );
export type Schedule = z.output<typeof ScheduleSchema>;

/** The guardrails that can change between placement and a scheduled dial. */
export const RECHECKED_GUARDRAILS = [
  "do_not_call",
  "destination_frequency_capped",
  "over_minute_cap",
  "caller_id_not_owned",
] as const;
export type GuardrailToken = (typeof RECHECKED_GUARDRAILS)[number];

export type ScheduleDecision =
  /** Dial now (`at` null) or at `at`. */
  | { ok: true; at: number | null }
  | { ok: false; error: "invalid_schedule" }
  | { ok: false; error: "outside_calling_window"; nextWindowAt: number };

export function decideSchedule(
  schedule: Schedule | null | undefined,
  hoursAt: (at: number) => HoursDecision,
  now: number,
): ScheduleDecision {
  if (!schedule) {
    const hours = hoursAt(now);
    return hours.allowed
      ? { ok: true, at: null }
      : { ok: false, error: "outside_calling_window", nextWindowAt: hours.nextWindowAt };
  }
  const notBefore = schedule.notBefore === undefined ? now : Date.parse(schedule.notBefore);
  if (!Number.isFinite(notBefore)) return { ok: false, error: "invalid_schedule" };
  const from = Math.max(now, notBefore);
  const hours = hoursAt(from);
  const at = hours.allowed ? from : hours.nextWindowAt;
  if (at - now > MAX_SCHEDULE_AHEAD_MS) return { ok: false, error: "invalid_schedule" };
  return { ok: true, at: at > now ? at : null };
}
