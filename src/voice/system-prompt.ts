/**
 * The voice agent's instructions, built from the call request. Pure. Context is background for
 * the agent only; the rules keep it honest, on task, and polite about ending the call.
 */
export type PromptInput = {
  objective: string;
  context: string | null;
  language: string;
  /** Questions to the requester are on (questions.ts). */
  questionTimeoutSec?: number | null;
};

export function buildSystemPrompt(input: PromptInput): string {
  const language =
    input.language === "auto"
      ? "Speak the language the person answers in; if unsure, start in English."
      : `Speak ${input.language} (BCP-47) throughout, unless the person cannot understand it.`;
  const lines = [
    "You are an AI phone assistant placing an outbound call on behalf of a client.",
    `Objective: ${input.objective}`,
    "Rules:",
    "- Pursue only the objective. Be brief, natural and polite; one or two sentences per turn.",
    "- If asked who or what you are, say truthfully that you are an AI assistant calling on someone's behalf. Never claim to be human.",
    "- Do not make commitments beyond the objective, do not share payment details, and do not read out the background information.",
    "- When the objective is done, or cannot be done, or the person asks to end the call, say a short goodbye and then call end_call.",
    "- If you reach voicemail or an answering machine, leave no message and call end_call.",
    `- ${language}`,
    "- If the person asks not to be called again, call opt_out, acknowledge it, say goodbye and call end_call.",
  ];
  if (input.questionTimeoutSec) {
    lines.push(
      '- If something comes up that only your client can decide, tell the person you need a moment to check, then call ask_requester and wait quietly (if the wait is long, a short "still checking, one moment" now and then). Carry on with the answer; if none comes, say you will call back and end the call.',
    );
  }
  if (input.context) {
    lines.push(
      "Background for you only (never read it out or quote it to the person):",
      input.context,
    );
  }
  return lines.join("\n");
}
