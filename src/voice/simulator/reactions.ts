/**
 * What the simulated model's scripted agent does when it recognises a line of the simulated
 * phone (simulator/phone-lines.ts) or gets a tool's result back. Each scenario adds its entries;
 * a line without one gets no reaction (the agent waits).
 */
import type { PhoneLineKey } from "../../simulator/phone-lines";
import { answerScreener, leaveVoicemail } from "./answerer-reports";

/** What a reaction can make the scripted agent do, in the Gemini Live wire protocol. */
export type AgentMoves = {
  /** Speaks a line (transcription and audio, then the turn ends). */
  say(text: string): void;
  /** Calls a tool, if this call offers it; returns whether it did. */
  callTool(name: string, args: Record<string, unknown>): boolean;
  /** The tools the session declared for this call. */
  offered(name: string): boolean;
  /** The objective from the system instruction. */
  objective: string;
};

export const CLOSING_LINE = "Wonderful, thank you very much for your help. Goodbye!";

export const LINE_REACTIONS: Partial<Record<PhoneLineKey, (agent: AgentMoves) => void>> = {
  booking_confirmed: (agent) => {
    agent.say(CLOSING_LINE);
    agent.callTool("end_call", { reason: "objective done" });
  },
  // Voicemail (issue 14): an eager model starts talking at "leave a message" before the beep, as
  // real ones do; the bridge's gate must keep that off the line until the greeting has ended.
  vm_leave: (agent) => agent.say("Hello, I am calling on behalf of a client."),
  // Call screeners (issue 14): answer who and why; greet the person once put through.
  screener_ask: (agent) => answerScreener(agent),
  screened_person: (agent) =>
    agent.say(`Hello, this is an AI assistant calling on behalf of a client. ${agent.objective}`),
};

/**
 * Reactions to a note from the platform (VoiceSession.inform: a beep, a key pressed...): each
 * returns whether the note was its to act on.
 */
export const NOTE_REACTIONS: ((agent: AgentMoves, note: string) => boolean)[] = [leaveVoicemail];

/** Reactions to a tool's response (by tool name): the response object the session sent. */
export const TOOL_REACTIONS: Partial<
  Record<string, (agent: AgentMoves, response: Record<string, unknown>) => void>
> = {};
