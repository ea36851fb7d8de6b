/**
 * The person of +14155550116/117 (issue 15): hears the agent's first turn out, then asks for a
 * real person. If the agent cannot transfer and says goodbye, they wait for it to hang up.
 */
import { PhoneSide } from "./phone-side";

export class HumanSeeker extends PhoneSide {
  protected override onAgentTurnEnd(): void {
    if (this.agentTurns === 1) this.say("wants_human");
  }
}
