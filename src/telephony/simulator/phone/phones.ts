/**
 * Who is at the far end of each simulated destination, once it answers (design.md "The
 * simulator"). Each scenario is a PhoneSide of its own module.
 */
import type { SimulatedOutcome } from "../script";
import { AgreeablePerson } from "./person";
import { type PhoneSide, SilentPhone } from "./phone-side";
import { OptingOutPerson, QuestioningPerson } from "./questioning-person";

/** A person kept waiting in silence this many beats hangs up. */
const PATIENCE_BEATS = 57;

export function phoneFor(outcome: SimulatedOutcome, paceMs: number, replyGapMs: number): PhoneSide {
  switch (outcome) {
    case "answered":
    case "flaky":
      return new AgreeablePerson(replyGapMs, PATIENCE_BEATS * paceMs);
    case "asks_question":
      // Waits as long as the agent checks with its requester (the question's own timeout).
      return new QuestioningPerson(replyGapMs);
    case "opts_out":
      return new OptingOutPerson(replyGapMs, PATIENCE_BEATS * paceMs);
    default:
      return new SilentPhone(replyGapMs);
  }
}
