/**
 * What the simulated model's scripted agent does when it recognises a line of the simulated
 * phone (simulator/phone-lines.ts) or gets a tool's result back. Each scenario adds its entries;
 * a line without one gets no reaction (the agent waits).
 */
import type { PhoneLineKey } from "../../simulator/phone-lines";

/** What a reaction can make the scripted agent do, in the Gemini Live wire protocol. */
export type AgentMoves = {
  /** Speaks a line (transcription and audio, then the turn ends). */
  say(text: string): void;
  /** Speaks a phone line as coded speech, so the simulated phone side can recognise it. */
  sayLine(key: PhoneLineKey): void;
  /** Calls a tool, if this call offers it; returns whether it did. */
  callTool(name: string, args: Record<string, unknown>): boolean;
  /** The tools the session declared for this call. */
  offered(name: string): boolean;
  /** The objective from the system instruction. */
  objective: string;
};

export const CLOSING_LINE = "Wonderful, thank you very much for your help. Goodbye!";

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
};

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
