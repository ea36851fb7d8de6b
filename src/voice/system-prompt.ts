/**
 * The voice agent's instructions, built from the call request. Pure. Context is background for
 * the agent only; the rules keep it honest, on task, and polite about ending the call.
 */
export type PromptInput = {
  objective: string;
  context: string | null;
  language: string;
  /** A person the call may be handed to (issue 15), and when. */
  transferTo?: string | null;
  transferWhen?: string | null;
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
    "- At a phone menu (a recording listing options), listen to the whole menu, then press the option that best serves the objective with press_digits. Say nothing to a machine. If the menu repeats, press once more.",
    "- When put on hold (hold music, or 'please hold'), call wait_on_hold and stay silent, however long it lasts, until a person speaks to you; then greet them and pursue the objective.",
    `- ${language}`,
  ];
  if (input.transferTo) {
    const when = input.transferWhen ? ` or ${input.transferWhen.replace(/\s+/g, " ").trim()}` : "";
    lines.push(
      `- If the person asks to speak with a human${when}, tell them in one short sentence that you are transferring them, then call transfer_call.`,
    );
  } else {
    lines.push("- You cannot transfer the call to a person; if asked, say so politely.");
  }
  if (input.context) {
    lines.push(
      "Background for you only (never read it out or quote it to the person):",
      input.context,
    );
  }
  return lines.join("\n");
}
