/**
 * What the simulated model's scripted agent does when it recognises a line of the simulated
 * phone (simulator/phone-lines.ts) or gets a tool's result back. Each scenario adds its entries;
 * a line without one gets no reaction (the agent waits).
 */
import { PHONE_LINES, type PhoneLineKey } from "../../simulator/phone-lines";
import type { AgentMoves } from "./agent-moves";
import { answerScreener, leaveVoicemail } from "./answerer-reports";
import { chooseOption } from "./menu-choice";

export const CLOSING_LINE = "Wonderful, thank you very much for your help. Goodbye!";

/** What the agent says before it transfers the call. */
export const TRANSFER_LINE = "Of course, I will transfer you to a colleague now.";

/** What the agent says to a person reached through a menu or after a hold. */
const toPerson = (agent: AgentMoves) =>
  agent.say(`Hello, I am an AI assistant calling on behalf of a client. ${agent.objective}`.trim());
// Questions to the requester (+14155550118): the agent relays the answer as coded speech
// (agent_accepts / agent_declines), which the simulated person decodes from the agent's audio.
export const HOLD_LINE = "Let me check that with my client, one moment please.";
export const CALL_BACK_LINE = "I could not reach my client, so I will call you back. Goodbye!";
export const OPT_OUT_LINE = "Understood, we will not call you again. Sorry to bother you, goodbye!";

const finish = (agent: AgentMoves) => {
  agent.say(CLOSING_LINE);
  agent.callTool("end_call", { reason: "objective done" });
};

export const LINE_REACTIONS: Partial<Record<PhoneLineKey, (agent: AgentMoves) => void>> = {
  booking_confirmed: finish,
  time_change_question: (agent) => {
    if (!agent.offered("ask_requester")) return finish(agent);
    agent.say(HOLD_LINE);
    agent.callTool("ask_requester", {
      question: "They have 7:30 instead of 7, is that fine?",
      options: ["yes", "no"],
    });
  },
  booking_at_730: finish,
  booking_dropped: finish,
  do_not_call_me: (agent) => {
    agent.callTool("opt_out", { reason: "asked not to be called again" });
  },
  // Voicemail (issue 14): an eager model starts talking at "leave a message" before the beep, as
  // real ones do; the bridge's gate must keep that off the line until the greeting has ended.
  vm_leave: (agent) => agent.say("Hello, I am calling on behalf of a client."),
  // Call screeners (issue 14): answer who and why; greet the person once put through.
  screener_ask: (agent) => answerScreener(agent),
  screened_person: (agent) =>
    agent.say(`Hello, this is an AI assistant calling on behalf of a client. ${agent.objective}`),
  // Phone menus and hold (issue 15): press the option that serves the objective, say nothing
  // to the machine, wait on hold in silence, and speak once a person does.
  ivr_menu: (agent) => {
    const key = chooseOption(PHONE_LINES.ivr_menu, agent.objective);
    if (key) agent.callTool("press_digits", { digits: key });
  },
  please_hold: (agent) => {
    if (agent.once("hold")) agent.callTool("wait_on_hold", {});
  },
  ivr_person: toPerson,
  hold_person: toPerson,
  // Transfer (issue 15): hand over when asked and allowed, else say so and end the call.
  wants_human: (agent) => {
    if (agent.offered("transfer_call")) {
      agent.say(TRANSFER_LINE);
      agent.callTool("transfer_call", { reason: "they asked for a person" });
      return;
    }
    agent.say("I am sorry, I cannot put you through to a person. Goodbye!");
    agent.callTool("end_call", { reason: "asked for a person, no transfer number" });
  },
};

/**
 * Reactions to a note from the platform (VoiceSession.inform: a beep, a key pressed...): each
 * returns whether the note was its to act on.
 */
export const NOTE_REACTIONS: ((agent: AgentMoves, note: string) => boolean)[] = [leaveVoicemail];

/**
 * Reactions to sound that is not speech (a tone, music): `ms` is how long it lasted. Each scenario
 * adds its entry.
 */
export const SOUND_REACTIONS: ((agent: AgentMoves, sound: { ms: number }) => void)[] = [
  // Music (a second or more of it) means hold: wait in silence.
  (agent, sound) => {
    if (sound.ms >= 1000 && agent.once("hold")) agent.callTool("wait_on_hold", {});
  },
];

/** Reactions to a tool's response (by tool name): the response object the session sent. */
export const TOOL_REACTIONS: Partial<
  Record<string, (agent: AgentMoves, response: Record<string, unknown>) => void>
> = {
  ask_requester: (agent, response) => {
    const answer = typeof response.answer === "string" ? response.answer : null;
    if (response.answered !== true || answer === null) {
      agent.say(CALL_BACK_LINE);
      agent.callTool("end_call", { reason: "no answer from the requester" });
    } else agent.sayLine(/\b(yes|fine)\b/i.test(answer) ? "agent_accepts" : "agent_declines");
  },
  opt_out: (agent) => {
    agent.say(OPT_OUT_LINE);
    agent.callTool("end_call", { reason: "the person asked not to be called again" });
  },
};
