/**
 * What the simulated carrier does with a destination (design.md "The simulator"). Pure. Magic
 * numbers choose the outcome so every terminal status can be reached locally and in tests.
 */
export type SimulatedOutcome =
  | "no_answer"
  | "voicemail"
  | "declined"
  | "refused"
  | "flaky"
  | "lingers"
  | "drops"
  | "silent"
  | "voicemail_missed_beep"
  | "mailbox_full"
  | "screener_connects"
  | "screener_takes_message"
  | "fax"
  | "answered"
  | "menu"
  | "menu_hold"
  | "menu_loop"
  | "wants_human"
  | "wants_human_unanswered"
  | "asks_question"
  | "opts_out";

const MAGIC: Record<string, SimulatedOutcome> = {
  "+14155550100": "no_answer",
  "+14155550101": "voicemail",
  "+14155550102": "declined",
  "+14155550103": "refused",
  /** Answers 503 to the first two create attempts, then behaves like an answered call. */
  "+14155550104": "flaky",
  /** Answers and stays on the line until we hang up (or a long while passes). */
  "+14155550105": "lingers",
  /** Answers, then the media socket drops without a stop frame and no final callback comes. */
  "+14155550106": "drops",
  /** Accepts the call and never calls back: only our watchdog can end it. */
  "+14155550107": "silent",
  // Who answers, and the voicemail message (issue 14): phone/answering-machines.ts.
  /** A voicemail whose beep AMD misses (machine_end_other, late): only our detector hears it. */
  "+14155550108": "voicemail_missed_beep",
  /** A voicemail whose mailbox is full: the greeting says so, then the line hangs up. */
  "+14155550109": "mailbox_full",
  /** A call screener asks who is calling and why, then the person picks up and talks. */
  "+14155550110": "screener_connects",
  /** A call screener asks, takes a message after a tone, and hangs up. */
  "+14155550111": "screener_takes_message",
  /** A fax machine's calling tones (CNG, 1,100 Hz). */
  "+14155550112": "fax",
  /** A phone menu: 1 (reservations) reaches a person, any other key repeats it (issue 15). */
  "+14155550113": "menu",
  /** A phone menu, then hold music, then a person. */
  "+14155550114": "menu_hold",
  /** A phone menu that repeats whatever is pressed. */
  "+14155550115": "menu_loop",
  /** A person who asks for a human early; a transfer to them is answered (3 s of talk). */
  "+14155550116": "wants_human",
  /** Like +14155550116, but the person a call is transferred to does not answer. */
  "+14155550117": "wants_human_unanswered",
  /** A person who asks something only the requester can answer ("7:30 instead of 7?"). */
  "+14155550118": "asks_question",
  /** A person who asks not to be called again. */
  "+14155550119": "opts_out",
};

/** Whether the person a call to this destination is transferred to answers. */
export function transferAnswers(to: string): boolean {
  return outcomeFor(to) !== "wants_human_unanswered";
}
/** How long the person a call is transferred to talks before hanging up (ms of real time). */
export const TRANSFER_TALK_MS = 3000;

export function outcomeFor(to: string): SimulatedOutcome {
  return MAGIC[to] ?? "answered";
}

/** How many failed create attempts the flaky number answers with 503 before accepting. */
export const FLAKY_FAILURES = 2;

export type ScriptAction =
  | "initiated"
  | "ringing"
  | "answer"
  | "machine"
  | "person_hangs_up"
  | "drop_media"
  | "no_answer"
  | "busy";

/** The scripted timeline, in beats (SIMULATOR_PACE_MS each) from the call's creation. */
export function scriptFor(outcome: SimulatedOutcome): { beat: number; action: ScriptAction }[] {
  const ring = [
    { beat: 1, action: "initiated" as const },
    { beat: 2, action: "ringing" as const },
  ];
  switch (outcome) {
    case "no_answer":
      return [...ring, { beat: 5, action: "no_answer" }];
    case "declined":
      return [...ring, { beat: 3, action: "busy" }];
    case "voicemail":
    case "voicemail_missed_beep":
    case "mailbox_full":
    case "screener_connects":
    case "screener_takes_message":
    case "fax":
      // Answered; the machine or screener (phone/answering-machines.ts) sends the AMD verdict
      // and hangs up by itself.
      return [...ring, { beat: 3, action: "answer" }];
    case "menu":
    case "menu_hold":
    case "menu_loop":
    case "wants_human":
    case "wants_human_unanswered":
      return [...ring, { beat: 3, action: "answer" }];
    case "answered":
    case "flaky":
    case "asks_question":
    case "opts_out":
      // The AI normally ends the call itself; a person kept waiting in silence hangs up (phone/).
      return [...ring, { beat: 3, action: "answer" }];
    case "lingers":
      return [...ring, { beat: 3, action: "answer" }, { beat: 10_000, action: "person_hangs_up" }];
    case "drops":
      return [...ring, { beat: 3, action: "answer" }, { beat: 6, action: "drop_media" }];
    case "refused":
    case "silent":
      return [];
  }
}
