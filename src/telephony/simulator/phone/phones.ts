/**
 * Who is at the far end of each simulated destination, once it answers (design.md "The
 * simulator"). Each scenario is a PhoneSide of its own module.
 */
import type { SimulatedOutcome } from "../script";
import { type AmdMode, CallScreener, FaxMachine, Voicemail } from "./answering-machines";
import { HumanSeeker } from "./human-seeker";
import { AgreeablePerson } from "./person";
import { PhoneMenu } from "./phone-menu";
import { type PhoneSide, SilentPhone } from "./phone-side";
import { OptingOutPerson, QuestioningPerson } from "./questioning-person";

/** A person kept waiting in silence this many beats hangs up. */
const PATIENCE_BEATS = 57;
/** The hold of +14155550114: 20 beats (20 s at the default pace), never under 4 s of music. */
const HOLD_BEATS = 20;
const MIN_HOLD_MS = 4000;

export function phoneFor(
  outcome: SimulatedOutcome,
  paceMs: number,
  replyGapMs: number,
  amd: AmdMode = "Enable",
): PhoneSide {
  switch (outcome) {
    case "voicemail":
      return new Voicemail(replyGapMs, amd, "beep");
    case "voicemail_missed_beep":
      return new Voicemail(replyGapMs, amd, "missed_beep");
    case "mailbox_full":
      return new Voicemail(replyGapMs, amd, "mailbox_full");
    case "screener_connects":
      return new CallScreener(replyGapMs, "connects");
    case "screener_takes_message":
      return new CallScreener(replyGapMs, "takes_message");
    case "fax":
      return new FaxMachine(replyGapMs);
    case "answered":
    case "flaky":
      return new AgreeablePerson(replyGapMs, PATIENCE_BEATS * paceMs);
    case "menu":
      return new PhoneMenu(replyGapMs, PATIENCE_BEATS * paceMs, (key) =>
        key === "1" ? "person" : "repeat",
      );
    case "menu_hold":
      return new PhoneMenu(
        replyGapMs,
        PATIENCE_BEATS * paceMs,
        (key) => (key === "1" ? "hold" : "repeat"),
        Math.max(MIN_HOLD_MS, HOLD_BEATS * paceMs),
      );
    case "menu_loop":
      return new PhoneMenu(replyGapMs, PATIENCE_BEATS * paceMs, () => "repeat");
    case "wants_human":
    case "wants_human_unanswered":
      return new HumanSeeker(replyGapMs, PATIENCE_BEATS * paceMs);
    case "asks_question":
      // Waits as long as the agent checks with its requester (the question's own timeout).
      return new QuestioningPerson(replyGapMs);
    case "opts_out":
      return new OptingOutPerson(replyGapMs, PATIENCE_BEATS * paceMs);
    default:
      return new SilentPhone(replyGapMs);
  }
}
