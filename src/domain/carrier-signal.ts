/**
 * What a carrier can tell us about a call, independent of the carrier. The CallSession turns
 * these into state-machine events.
 */
import type { CarrierOutcome } from "./call-state";

export type CarrierSignal =
  | { kind: "progress" }
  | { kind: "answered" }
  | { kind: "machine"; answeredBy: string }
  /** An answering-machine verdict that is not a machine: Twilio's `human` or `unknown`. */
  | { kind: "amd"; answeredBy: string }
  | { kind: "ended"; outcome: CarrierOutcome; durationSec?: number };
