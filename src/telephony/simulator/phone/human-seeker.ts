/**
 * The person of +14155550116/117 (issue 15): hears the agent's first turn out, presses 0 (as
 * people do for an operator; the carrier reports it as a `dtmf` frame), then asks for a real
 * person. If the agent cannot transfer and says goodbye, they wait for it to hang up.
 */
import { PhoneSide } from "./phone-side";

export class HumanSeeker extends PhoneSide {
  protected override onAgentTurnEnd(): void {
    if (this.agentTurns !== 1) return;
    this.act({ type: "dtmf", digit: "0" });
    this.say("wants_human");
  }
}
