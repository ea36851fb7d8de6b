/**
 * Who answered the call, and the voicemail message (issue 14). Pure rules the session engine
 * applies: verdicts come from the carrier (Twilio's answering-machine detection) and from our side
 * (the model's `report_answerer` tool, the bridge's beep detector); the first sure one wins and the
 * record says which source gave it and when. With `voicemail.action = "leave_message"` a machine
 * verdict closes the bridge's gate toward the phone (the agent never speaks over the greeting)
 * until the greeting ends (our beep detector, or AMD's machine_end_*); then the model is told to
 * say the message and hang up.
 *
 * Statuses stay the reference's: a machine is `voicemail`; a call screener that lets the person
 * through is an ordinary call; one that ends the call is `voicemail` if it took a message, else
 * `no_answer`.
 */
import { z } from "zod";
import type { CallStatus } from "./call-status";
import type { ToolCall, ToolDeclaration, ToolResult } from "./tool";
import type { TranscriptLine } from "./transcript";

export const ANSWERERS = ["human", "voicemail", "call_screener", "ivr", "fax", "unknown"] as const;
export type Answerer = (typeof ANSWERERS)[number];
/** What the model may report (the carrier alone tells a fax; unknown is no verdict). */
export const REPORTABLE_ANSWERERS = ["human", "voicemail", "call_screener", "ivr"] as const;
export const ANSWERED_BY_SOURCES = ["carrier", "agent"] as const;
export type AnsweredBySource = (typeof ANSWERED_BY_SOURCES)[number];

export const VOICEMAIL_ACTIONS = ["hangup", "leave_message"] as const;
export const MAX_VOICEMAIL_MESSAGE_CHARS = 1000;

/** The request's `voicemail`, as the session keeps it. */
export const VoicemailSettingSchema = z.object({
  action: z.enum(VOICEMAIL_ACTIONS),
  message: z.string().nullable(),
});
export type VoicemailSetting = z.infer<typeof VoicemailSettingSchema>;
export const DEFAULT_VOICEMAIL: VoicemailSetting = { action: "hangup", message: null };

/** A key's stored default (JSON), or null when it has none or it is unreadable. */
export function voicemailSettingOf(json: string | null): VoicemailSetting | null {
  if (json === null) return null;
  try {
    const parsed = VoicemailSettingSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function voicemailOf(call: { voicemail?: VoicemailSetting | undefined }): VoicemailSetting {
  return call.voicemail ?? DEFAULT_VOICEMAIL;
}

export const VOICEMAIL_FAILURES = ["no_beep", "mailbox_full", "hung_up"] as const;
export type VoicemailMessage =
  | { left: true; beepMs: number; spokenMs: number; text: string }
  | { left: false; reason: (typeof VOICEMAIL_FAILURES)[number] };

/** How long a machine's greeting may run before we give up on hearing its end. */
export const GREETING_BOUND_MS = 30_000;

export type Answering = {
  /** The first sure verdict (or `unknown` from the carrier until one comes). */
  by: Answerer | null;
  /** From the answer to the verdict. */
  ms: number | null;
  source: AnsweredBySource | null;
  /** After a call screener, a person came on the line. */
  personReached: boolean;
  /** The greeting said the mailbox takes no messages. */
  mailboxFull: boolean;
  /** The far end ended the call. */
  farEndHungUp: boolean;
  /** leave_message: waiting for the greeting's end (gate closed), then the message is said. */
  message: "none" | "awaiting_greeting_end" | "speaking";
  /** From the answer to the greeting's end (the beep). */
  beepMs: number | null;
  /** When we stop waiting for the greeting's end (epoch ms). */
  greetingDeadline: number | null;
};

export const NO_ANSWERING: Answering = {
  by: null,
  ms: null,
  source: null,
  personReached: false,
  mailboxFull: false,
  farEndHungUp: false,
  message: "none",
  beepMs: null,
  greetingDeadline: null,
};

export const AnsweringSchema = z.object({
  by: z.enum(ANSWERERS).nullable(),
  ms: z.number().nullable(),
  source: z.enum(ANSWERED_BY_SOURCES).nullable(),
  personReached: z.boolean(),
  mailboxFull: z.boolean(),
  farEndHungUp: z.boolean(),
  message: z.enum(["none", "awaiting_greeting_end", "speaking"]),
  beepMs: z.number().nullable(),
  greetingDeadline: z.number().nullable(),
});

export const REPORT_ANSWERER_TOOL = {
  name: "report_answerer",
  description:
    "Report who or what answered the phone as soon as you can tell from what you hear: human (a person), voicemail (an answering machine or voicemail greeting), call_screener (a phone's assistant asking who is calling and why), ivr (an automated menu). Call it again with human when a person comes on after a call screener, and with mailboxFull true when a greeting says the mailbox is full.",
  parameters: {
    properties: {
      answerer: { type: "string", enum: REPORTABLE_ANSWERERS },
      mailboxFull: {
        type: "boolean",
        description: "The voicemail greeting says the mailbox is full or takes no messages.",
      },
    },
    required: ["answerer"],
  },
} as const satisfies ToolDeclaration;

/** What the engine must do after an answering rule ran. */
export type AnsweringAction =
  /** Hang up on the machine now: the call ends as voicemail. */
  | { type: "end_as_machine" }
  /** End the call from our side (its status settles by the rules above). */
  | { type: "hang_up" }
  /** Stop any agent audio toward the phone until the greeting has ended. */
  | { type: "close_gate" }
  /** The greeting has ended: let the agent's audio through and tell it to leave the message. */
  | { type: "leave_message" };

export type AnsweringStep = { answering: Answering; actions: AnsweringAction[] };

/** Twilio's AnsweredBy, as an answerer; the machine_end_* values also mean the greeting ended. */
export function answererOfAmd(answeredBy: string): { by: Answerer; greetingEnded: boolean } {
  if (answeredBy === "human") return { by: "human", greetingEnded: false };
  if (answeredBy === "fax") return { by: "fax", greetingEnded: false };
  if (answeredBy.startsWith("machine_"))
    return { by: "voicemail", greetingEnded: answeredBy.startsWith("machine_end_") };
  return { by: "unknown", greetingEnded: false };
}

const isMachine = (by: Answerer | null) => by === "voicemail" || by === "fax";

/**
 * A verdict from `source` at `sinceAnswerMs`. The first sure one is kept; later ones only add what
 * they tell (a person after a screener, a full mailbox).
 */
export function verdict(
  a: Answering,
  by: Answerer,
  source: AnsweredBySource,
  sinceAnswerMs: number,
  now: number,
  setting: VoicemailSetting,
  mailboxFull = false,
): AnsweringStep {
  let next: Answering = mailboxFull ? { ...a, mailboxFull: true } : a;
  const decided = a.by !== null && a.by !== "unknown";
  if (decided) {
    // Only the model hears a person come on after a screener (AMD decided long before).
    if (a.by === "call_screener" && by === "human" && source === "agent")
      next = { ...next, personReached: true };
    const actions: AnsweringAction[] =
      mailboxFull && a.message === "awaiting_greeting_end" ? [{ type: "hang_up" }] : [];
    return { answering: next, actions };
  }
  next = { ...next, by, ms: Math.max(0, Math.round(sinceAnswerMs)), source };
  if (by === "unknown") return { answering: next, actions: [] };
  if (!isMachine(by)) return { answering: next, actions: [] };
  if (by === "fax" || setting.action === "hangup" || next.mailboxFull)
    return { answering: next, actions: [{ type: "end_as_machine" }] };
  return {
    answering: {
      ...next,
      message: "awaiting_greeting_end",
      greetingDeadline: now + GREETING_BOUND_MS,
    },
    actions: [{ type: "close_gate" }],
  };
}

/**
 * The greeting ended: our beep detector heard a beep after speech (`beep`), the bridge heard long
 * silence after it while waiting (`silence`), or AMD said machine_end_*. A beep with no verdict
 * yet is itself one: a machine (or a screener taking a message, when the model said so).
 */
export function greetingEnded(
  a: Answering,
  how: "beep" | "silence" | "carrier",
  sinceAnswerMs: number,
  now: number,
  setting: VoicemailSetting,
): AnsweringStep {
  let step: AnsweringStep = { answering: a, actions: [] };
  if ((a.by === null || a.by === "unknown") && how === "beep")
    step = verdict(a, "voicemail", "agent", sinceAnswerMs, now, setting);
  const s = step.answering;
  const screenerTakesMessage = s.by === "call_screener" && !s.personReached;
  if (s.message === "awaiting_greeting_end" || (screenerTakesMessage && s.message === "none")) {
    if (setting.action === "hangup")
      return { answering: s, actions: [...step.actions, { type: "hang_up" }] };
    return {
      answering: {
        ...s,
        message: "speaking",
        beepMs: Math.max(0, Math.round(sinceAnswerMs)),
        greetingDeadline: null,
      },
      actions: [...step.actions, { type: "leave_message" }],
    };
  }
  return step;
}

/** The greeting never ended in time: give up on leaving a message. */
export function greetingOverdue(a: Answering, now: number): AnsweringStep {
  if (
    a.message !== "awaiting_greeting_end" ||
    a.greetingDeadline === null ||
    now < a.greetingDeadline
  )
    return { answering: a, actions: [] };
  return { answering: { ...a, greetingDeadline: null }, actions: [{ type: "hang_up" }] };
}

/** `report_answerer`'s arguments, or an error for the model. */
export function reportedAnswerer(
  call: ToolCall,
): { by: Answerer; mailboxFull: boolean } | { error: string } {
  const by = call.args.answerer;
  if (typeof by !== "string" || !(REPORTABLE_ANSWERERS as readonly string[]).includes(by))
    return { error: "invalid_answerer" };
  return { by: by as Answerer, mailboxFull: call.args.mailboxFull === true };
}

/** What the model is told after it reported the answerer. */
export function reportResult(a: Answering, setting: VoicemailSetting): ToolResult {
  if (a.by === "call_screener" && !a.personReached)
    return {
      ok: true,
      instruction:
        "Answer the screener in one or two sentences: who you are calling for and why. Then wait silently to be connected; do not hang up.",
    };
  if (a.message === "awaiting_greeting_end")
    return {
      ok: true,
      instruction:
        "Stay silent while the greeting plays. You will be told when it has ended; then leave the message.",
    };
  if (isMachine(a.by) && setting.action === "hangup")
    return { ok: true, instruction: "Leave no message; the call is ending." };
  return { ok: true };
}

/** What the model is told when the greeting has ended (inform_model). */
export function leaveMessageNote(setting: VoicemailSetting, callBack: string): string {
  const what = setting.message
    ? `Say exactly this message: "${setting.message}"`
    : `Say a short message of your own from the objective: who you are calling for, what it is about, and that they can call back at ${callBack}. Say nothing from the background information.`;
  return `(The voicemail greeting has ended with the beep: it is recording now. ${what} Then call end_call.)`;
}

/**
 * The status a call that ended as `completed` really has, given who answered: a machine is
 * voicemail; a screener nobody came through is voicemail if it took a message, else no_answer.
 */
export function settledStatus(a: Answering, status: CallStatus): CallStatus {
  if (status !== "completed") return status;
  if (isMachine(a.by)) return "voicemail";
  if (a.by === "call_screener" && !a.personReached)
    return a.message === "speaking" ? "voicemail" : "no_answer";
  return status;
}

export type AnswerView = {
  answeredBy: Answerer | null;
  answeredByMs: number | null;
  answeredBySource: AnsweredBySource | null;
  voicemailMessage: VoicemailMessage | null;
};

/** The record's view: `answeredBy` is `unknown` once answered without a sure verdict. */
export function answerView(
  a: Answering,
  setting: VoicemailSetting,
  answered: boolean,
  lines: readonly TranscriptLine[],
): AnswerView {
  return {
    answeredBy: a.by ?? (answered ? "unknown" : null),
    answeredByMs: a.ms,
    answeredBySource: a.source,
    voicemailMessage: voicemailMessageOf(a, setting, lines),
  };
}

function voicemailMessageOf(
  a: Answering,
  setting: VoicemailSetting,
  lines: readonly TranscriptLine[],
): VoicemailMessage | null {
  if (setting.action !== "leave_message") return null;
  const noPerson = isMachine(a.by) || (a.by === "call_screener" && !a.personReached);
  if (!noPerson) return null;
  if (a.message === "speaking" && a.beepMs !== null) {
    const beepMs = a.beepMs;
    const said = lines.filter((l) => l.speaker === "agent" && l.offsetMs >= beepMs);
    const first = said[0];
    if (first)
      return {
        left: true,
        beepMs,
        spokenMs: first.offsetMs,
        text: said.map((l) => l.text).join(" "),
      };
  }
  if (a.mailboxFull) return { left: false, reason: "mailbox_full" };
  return { left: false, reason: a.farEndHungUp ? "hung_up" : "no_beep" };
}
