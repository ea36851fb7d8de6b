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
  /** True the first time it is asked with this name in the call (a reaction that happens once). */
  once(name: string): boolean;
};
