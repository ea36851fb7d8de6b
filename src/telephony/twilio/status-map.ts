/**
 * Twilio status and AMD callbacks → carrier signals (design.md "Call lifecycle"): busy → declined,
 * no-answer → no_answer, machine_* / fax → voicemail, failed / canceled → failed.
 */
import type { CarrierSignal } from "../../domain/carrier-signal";

const MACHINE = /^(machine_|fax$)/;

export function signalFromStatusCallback(params: URLSearchParams): CarrierSignal | undefined {
  const answeredBy = params.get("AnsweredBy") ?? undefined;
  switch (params.get("CallStatus")) {
    case "queued":
    case "initiated":
    case "ringing":
      return { kind: "progress" };
    case "in-progress":
    case "answered":
      return answeredBy && MACHINE.test(answeredBy)
        ? { kind: "machine", answeredBy }
        : { kind: "answered" };
    case "completed": {
      if (answeredBy && MACHINE.test(answeredBy)) return { kind: "machine", answeredBy };
      const duration = Number(params.get("CallDuration"));
      return {
        kind: "ended",
        outcome: "completed",
        durationSec: Number.isFinite(duration) ? duration : undefined,
      };
    }
    case "busy":
      return { kind: "ended", outcome: "busy" };
    case "no-answer":
      return { kind: "ended", outcome: "no_answer" };
    case "failed":
      return { kind: "ended", outcome: "failed" };
    case "canceled":
      return { kind: "ended", outcome: "canceled" };
    default:
      return undefined;
  }
}

/** Every AMD verdict matters now (a human one too: who answered is on the record). */
const AMD_VERDICT = /^(human|unknown|fax|machine_(start|end_beep|end_silence|end_other))$/;

export function signalFromAmdCallback(params: URLSearchParams): CarrierSignal | undefined {
  const answeredBy = params.get("AnsweredBy");
  if (!answeredBy || !AMD_VERDICT.test(answeredBy)) return undefined;
  return MACHINE.test(answeredBy) ? { kind: "machine", answeredBy } : { kind: "amd", answeredBy };
}
