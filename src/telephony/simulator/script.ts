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
  | "answered"
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
  /** A person who asks something only the requester can answer ("7:30 instead of 7?"). */
  "+14155550118": "asks_question",
  /** A person who asks not to be called again. */
  "+14155550119": "opts_out",
};

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
      // Async AMD: the call is answered and streams, then the machine verdict arrives. If nobody
      // hangs up on the machine, the greeting ends and the line goes dead.
      return [
        ...ring,
        { beat: 3, action: "answer" },
        { beat: 4, action: "machine" },
        { beat: 20, action: "person_hangs_up" },
      ];
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
