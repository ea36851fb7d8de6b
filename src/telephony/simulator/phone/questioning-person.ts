/**
 * +14155550118: a person who asks something only the requester can answer, and +14155550119: a
 * person who asks not to be called again.
 *
 * The simulated agent relays the requester's answer as coded speech (phone line agent_accepts or
 * agent_declines, voice/simulator/reactions.ts); this person decodes it from the agent's real
 * audio as it plays, and books 7:30 or drops the booking.
 */
import { lineOfCode } from "../../../simulator/phone-lines";
import { SpeechListener } from "../../../simulator/speech-code";
import { PhoneSide } from "./phone-side";

export class QuestioningPerson extends PhoneSide {
  private readonly listener = new SpeechListener(8000);
  private replied = false;

  protected override onAgentAudio(pcm: Int16Array): void {
    this.hear(pcm);
  }

  protected override onAgentTurnEnd(): void {
    if (this.agentTurns === 1) this.say("time_change_question");
  }

  private hear(pcm: Int16Array): void {
    for (const heard of this.listener.push(pcm)) {
      if (heard.type !== "utterance" || this.replied) continue;
      const key = lineOfCode(heard.code);
      if (key === "agent_accepts" || key === "agent_declines") {
        this.replied = true;
        this.say(key === "agent_accepts" ? "booking_at_730" : "booking_dropped");
      }
    }
  }
}

export class OptingOutPerson extends PhoneSide {
  protected override onAgentTurnEnd(): void {
    if (this.agentTurns === 1) this.say("do_not_call_me");
  }
}
