/**
 * What the simulated phone side can say, and what the simulated model's "speech recognizer"
 * transcribes it as: each line is spoken as coded speech (speech-code.ts) whose number is the
 * line's position here. Both simulators read this one table, so a line is recognised only when
 * its audio arrived. Keys name the line; scenarios and reactions refer to keys, never numbers.
 */
import { MAX_CODES, speechFor } from "./speech-code";

export const PHONE_LINES = {
  /** A person picking up. */
  hello: "Hello?",
  /** The scripted person of any ordinary number: agrees to the booking. */
  booking_confirmed:
    "Sure, we can do that. I have booked a table for 4 at 7 PM on Friday under the name Smith. That will be 249 dollars deposit.",
  // Answering machines and call screeners (issue 14; telephony/simulator/phone/answering-machines.ts).
  /** A voicemail greeting's first words: enough to tell it is a machine. */
  vm_greeting: "Hi, you've reached Alex Morgan.",
  /** The greeting's end, before the beep. */
  vm_leave: "Please leave a message after the tone.",
  /** A greeting that takes no message; the line hangs up after it. */
  vm_mailbox_full: "The mailbox is full and cannot accept any messages. Goodbye.",
  /** A phone's call-screening assistant. */
  screener_ask:
    "Hi, the person you're calling is using a screening service. Please say your name and why you're calling.",
  /** The screened person, once the screener lets the call through. */
  screened_person: "Hi, this is Alex. Sorry, who is this?",
  /** A screener that takes a message instead (a tone follows). */
  screener_take_message: "They can't come to the phone. Please leave a message after the tone.",
  // Phone menus, hold and transfer (issue 15; telephony/simulator/phone/phone-menu.ts).
  /** The menu of +14155550113..115. Its options are read by the simulated agent. */
  ivr_menu:
    "Thank you for calling. For reservations press 1, for opening hours press 2, to repeat this menu press star.",
  /** The person a menu option reaches. */
  ivr_person: "Reservations, this is Sam speaking. How can I help you?",
  please_hold: "Please hold while we connect you.",
  /** Said over the hold music every 8 s. */
  hold_announcement: "Your call is important to us. Please stay on the line.",
  /** The person who picks up after the hold. */
  hold_person: "Thanks for holding, this is Alex. How can I help you?",
  /** The person of +14155550116/117 who wants a human. */
  wants_human: "Sorry, can I talk to a real person?",
  // Questions to the requester (+14155550118) and opt-out (+14155550119).
  /** Only the requester can answer this one. */
  time_change_question: "We have 7:30 instead of 7, is that fine?",
  /** The agent relayed a yes. */
  booking_at_730: "Great, I have booked you for 7:30 on Friday under the name Smith.",
  /** The agent relayed a no. */
  booking_dropped: "No problem, I will not book it then. Have a nice day.",
  /** The person wants no more calls. */
  do_not_call_me: "Please don't call me again.",
  // Said by the simulated *agent* as coded speech, so the simulated person hears which answer it
  // relayed through the real audio path (voice/simulator/reactions.ts).
  agent_accepts: "Yes, 7:30 is fine, please book it.",
  agent_declines: "I am sorry, my client says 7:30 does not work, so please do not book it.",
} as const satisfies Record<string, string>;

export type PhoneLineKey = keyof typeof PHONE_LINES;

const KEYS = Object.keys(PHONE_LINES) as PhoneLineKey[];
if (KEYS.length > MAX_CODES) throw new Error("too many phone lines for the speech code");

export function lineCode(key: PhoneLineKey): number {
  return KEYS.indexOf(key);
}

export function lineOfCode(code: number | null): PhoneLineKey | undefined {
  return code === null ? undefined : KEYS[code];
}

/** Syllables per word of text: a line takes about as long to say as its words would. */
const SYLLABLES_PER_WORD = 1.3;
/** Longest line, in syllables (~2.2 s), so simulated calls stay short: a long text is said in brief. */
const MAX_SYLLABLES = 10;

/** The line as the phone says it (8 kHz PCM16 unless told). */
export function lineAudio(key: PhoneLineKey, rate = 8000): Int16Array {
  const words = PHONE_LINES[key].split(/\s+/).length;
  return speechFor(
    lineCode(key),
    Math.min(MAX_SYLLABLES, Math.round(words * SYLLABLES_PER_WORD)),
    rate,
  );
}
