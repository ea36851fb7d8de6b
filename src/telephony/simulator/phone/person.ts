/**
 * The scripted person of an ordinary number: hears the agent's first turn out, then agrees to
 * the booking in one line, and waits for the agent to say goodbye and hang up.
 */
import { PhoneSide } from "./phone-side";

export class AgreeablePerson extends PhoneSide {
  protected override onAgentTurnEnd(): void {
    if (this.agentTurns === 1) this.say("booking_confirmed");
  }
}
