/**
 * What a carrier can tell us about a call, independent of the carrier. The CallSession turns
 * these into state-machine events.
 */
import type { CarrierOutcome } from "./call-state";

export type CarrierSignal =
  | { kind: "progress" }
  | { kind: "answered" }
  | { kind: "machine"; answeredBy: string }
  | { kind: "ended"; outcome: CarrierOutcome; durationSec?: number };
