/**
 * The far ends that are not (at first) a person (issue 14): voicemail greetings with a real beep,
 * a full mailbox, call screeners, a fax machine. Each sends what Twilio's asynchronous AMD would
 * report, in the mode the call was created with (`Enable` answers early with machine_start;
 * `DetectMessageEnd` waits for the greeting's end), so the carrier's verdict, the model's and our
 * beep detector's race as they would on a real line. The beep's start is noted on the timeline.
 */
import { BEEP_MS, beep, cngCycle, tone } from "../../../simulator/tones";
import { PhoneSide } from "./phone-side";

export type AmdMode = "Enable" | "DetectMessageEnd";

/** A machine hangs up after this much silence (nobody left a message, or it was left). */
const RECORDING_PATIENCE_MS = 5000;
/** Between the greeting's sentences, and before the beep. */
const PAUSE_MS = 350;
const BEFORE_BEEP_MS = 700;

/**
 * A voicemail: greeting, beep, then silence while it records.
 * - `beep`: AMD says machine_start early (Enable) or machine_end_beep just after the beep.
 * - `missed_beep`: AMD is late and misses the beep (machine_start 1 s after it; machine_end_other
 *   3 s after it): only our beep detector hears it in time.
 * - `mailbox_full`: the greeting says so and the line hangs up; there is no beep.
 */
export class Voicemail extends PhoneSide {
  private beepDue = false;
  private hangUpScheduled = false;

  constructor(
    replyGapMs: number,
    private readonly amd: AmdMode,
    private readonly variant: "beep" | "missed_beep" | "mailbox_full",
  ) {
    super(replyGapMs, RECORDING_PATIENCE_MS);
  }

  protected override onAnswer(now: number): void {
    this.say("vm_greeting");
    this.silence(PAUSE_MS);
    if (this.variant === "mailbox_full") {
      this.say("vm_mailbox_full");
      if (this.amd === "Enable") this.after(1200, now, () => this.amdSays("machine_start"));
      return;
    }
    this.say("vm_leave");
    this.silence(BEFORE_BEEP_MS);
    this.beepDue = true;
    // Early, by the clock; the late verdicts below are timed from the beep, so a loaded machine
    // (slower frames) cannot make them early.
    if (this.amd === "Enable" && this.variant === "beep")
      this.after(1200, now, () => this.amdSays("machine_start"));
  }

  override nextFrame(now: number): Int16Array | null {
    const frame = super.nextFrame(now);
    if (!this.speaking() && this.variant === "mailbox_full" && !this.hangUpScheduled) {
      // Said its piece: the line goes dead a little later.
      this.hangUpScheduled = true;
      this.after(1500, now, () => this.act({ type: "hang_up" }));
    } else if (this.beepDue && !this.speaking()) {
      this.beepDue = false;
      // Queued now, it goes out with the next frame.
      this.note("beep", now + 20);
      this.play(beep());
      if (this.amd === "DetectMessageEnd")
        this.after(BEEP_MS + (this.variant === "beep" ? 400 : 3000), now, () =>
          this.amdSays(this.variant === "beep" ? "machine_end_beep" : "machine_end_other"),
        );
      else if (this.variant === "missed_beep")
        this.after(BEEP_MS + 1000, now, () => this.amdSays("machine_start"));
    }
    return frame;
  }

  private amdSays(answeredBy: string): void {
    this.note(`amd:${answeredBy}`, Date.now());
    this.act({ type: "amd", answeredBy });
  }
}

/**
 * A phone's call screener: asks who is calling and why; once the agent has answered, either lets
 * the call through to the person (`connects`), who then talks as the ordinary scripted person
 * does, or takes a message after a tone and hangs up (`takes_message`). AMD cannot tell.
 */
export class CallScreener extends PhoneSide {
  private phase: "asking" | "connected" | "done" | "recording" = "asking";
  private toneDue = false;

  constructor(
    replyGapMs: number,
    private readonly variant: "connects" | "takes_message",
  ) {
    super(replyGapMs, RECORDING_PATIENCE_MS);
  }

  protected override onAnswer(now: number): void {
    this.say("screener_ask");
    this.after(3000, now, () => this.act({ type: "amd", answeredBy: "unknown" }));
  }

  protected override onAgentTurnEnd(now: number): void {
    // The agent's greeting may end while the screener is still asking.
    if (this.speaking()) return;
    if (this.phase === "asking") {
      if (this.variant === "connects") {
        this.phase = "connected";
        this.silence(600);
        this.note("person", now);
        this.say("screened_person");
      } else {
        this.phase = "recording";
        this.say("screener_take_message");
        this.silence(BEFORE_BEEP_MS);
        this.toneDue = true;
      }
    } else if (this.phase === "connected") {
      this.phase = "done";
      this.say("booking_confirmed");
    }
  }

  override nextFrame(now: number): Int16Array | null {
    const frame = super.nextFrame(now);
    if (this.toneDue && !this.speaking()) {
      this.toneDue = false;
      this.note("beep", now + 20);
      this.play(tone(800, 400));
    }
    return frame;
  }
}

/** A fax machine: calling tones (CNG) from the start; AMD says fax. It never hangs up itself. */
export class FaxMachine extends PhoneSide {
  protected override onAnswer(now: number): void {
    this.silence(200);
    this.after(2500, now, () => this.act({ type: "amd", answeredBy: "fax" }));
  }

  override nextFrame(now: number): Int16Array | null {
    const frame = super.nextFrame(now);
    if (!this.speaking()) this.play(cngCycle());
    return frame;
  }
}
