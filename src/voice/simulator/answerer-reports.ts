/**
 * The simulated model's part in telling who answered (issue 14): it reports the answerer with
 * `report_answerer` from the line it "transcribed" (once per verdict), and, when told that a
 * voicemail greeting has ended, it says the message it was given (or one of its own from the
 * objective and the call-back number in the note) and hangs up.
 */
import type { PhoneLineKey } from "../../simulator/phone-lines";
import type { AgentMoves } from "./agent-moves";

/** What each line tells about who is on the other end. */
const ANSWERER_OF_LINE: Partial<Record<PhoneLineKey, Record<string, unknown>>> = {
  hello: { answerer: "human" },
  booking_confirmed: { answerer: "human" },
  vm_greeting: { answerer: "voicemail" },
  vm_mailbox_full: { answerer: "voicemail", mailboxFull: true },
  screener_ask: { answerer: "call_screener" },
  screened_person: { answerer: "human" },
  ivr_menu: { answerer: "ivr" },
  wants_human: { answerer: "human" },
  time_change_question: { answerer: "human" },
  do_not_call_me: { answerer: "human" },
};

export class AnswererReports {
  private readonly reported = new Set<string>();

  /** Reports what `key` tells, unless that was reported already. */
  heard(key: PhoneLineKey, agent: AgentMoves): void {
    const args = ANSWERER_OF_LINE[key];
    if (!args) return;
    const id = JSON.stringify(args);
    if (this.reported.has(id)) return;
    this.reported.add(id);
    agent.callTool("report_answerer", args);
  }
}

/** The engine's note that the greeting ended (domain/answering.ts leaveMessageNote). */
const GREETING_ENDED = /voicemail greeting has ended/;

/** Leaves the voicemail message when the note says so; returns whether it was that note. */
export function leaveVoicemail(agent: AgentMoves, note: string): boolean {
  if (!GREETING_ENDED.test(note)) return false;
  const given = /Say exactly this message: "(.*)"/s.exec(note)?.[1];
  const callBack = /call back at (\+\d+)/.exec(note)?.[1] ?? "this number";
  agent.say(
    given ??
      `Hello, this is an AI assistant calling on behalf of a client about this: ${agent.objective} Please call back at ${callBack}. Thank you, goodbye.`,
  );
  agent.callTool("end_call", { reason: "voicemail message left" });
  return true;
}

/** What the agent says to a call screener: who it calls for, and why. */
export function answerScreener(agent: AgentMoves): void {
  agent.say(`This is an AI assistant calling on behalf of a client about this: ${agent.objective}`);
}
