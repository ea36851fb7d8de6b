/**
 * The voice agent's instructions, built from the call request. Pure. Context is background for
 * the agent only; the rules keep it honest, on task, and polite about ending the call.
 */
import type { VoicemailSetting } from "../domain/answering";

export type PromptInput = {
  objective: string;
  context: string | null;
  language: string;
  voicemail?: VoicemailSetting | undefined;
  /** The disclosure the first sentence must carry, word for word (or translated). */
  firstSentence?: string;
  /** A person the call may be handed to (issue 15), and when. */
  transferTo?: string | null;
  transferWhen?: string | null;
  /** Questions to the requester are on (questions.ts). */
  questionTimeoutSec?: number | null;
};

/** The text a voice session sends when the call is answered, to make the agent speak first. */
export function answerTrigger(firstSentence: string | undefined): string {
  if (!firstSentence) return "(The call has just been answered. Greet the person and begin.)";
  return `(The call has just been answered. Your first sentence must be: "${firstSentence}" Say it, in the language of the call, then begin.)`;
}

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
    "- As soon as you can tell who answered (a person, a voicemail greeting, a call screener, an automated menu), say so with report_answerer.",
    input.voicemail?.action === "leave_message"
      ? "- If you reach voicemail or an answering machine, say nothing over the greeting; when told it has ended, leave the message as instructed (never anything from the background information), then call end_call."
      : "- If you reach voicemail or an answering machine, leave no message and call end_call.",
    "- If a call screener asks who is calling and why, answer in one or two sentences with who you are calling for and why, then wait to be connected; do not hang up on it.",
    `- ${language}`,
    "- If the person asks not to be called again, call opt_out, acknowledge it, say goodbye and call end_call.",
  ];
  if (input.firstSentence) {
    lines.push(
      `- Your first sentence, before anything else, must be this disclosure (translated into the language of the call if it is not English): "${input.firstSentence}"`,
    );
  }
  lines.push(
    "- At a phone menu (a recording listing options), listen to the whole menu, then press the option that best serves the objective with press_digits. Say nothing to a machine. If the menu repeats, press once more.",
    "- When put on hold (hold music, or 'please hold'), call wait_on_hold and stay silent, however long it lasts, until a person speaks to you; then greet them and pursue the objective.",
  );
  if (input.transferTo) {
    const when = input.transferWhen ? ` or ${input.transferWhen.replace(/\s+/g, " ").trim()}` : "";
    lines.push(
      `- If the person asks to speak with a human${when}, tell them in one short sentence that you are transferring them, then call transfer_call.`,
    );
  } else {
    lines.push("- You cannot transfer the call to a person; if asked, say so politely.");
  }
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
