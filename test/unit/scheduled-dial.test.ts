/**
 * The engine's scheduled dial: a call with `scheduledFor` ahead waits for its alarm, rechecks its
 * guardrails then, and dials only if they pass; otherwise it ends failed with the token.
 */
import { describe, expect, it } from "vitest";
import {
  nextAlarm,
  type SessionInput,
  type StepResult,
  startSession,
  step,
} from "../../src/domain/call-engine";
import { callParams, SETTINGS, T0 } from "./engine-fixtures";

const DUE = T0 + 3_600_000;
const PARAMS = callParams({
  callId: "6f1c2a3b-0000-4000-8000-000000000002",
  webhookUrl: null,
  scheduledFor: new Date(DUE).toISOString(),
});

function run(...rows: [SessionInput, number][]): StepResult[] {
  const results = [startSession(PARAMS, SETTINGS, T0)];
  for (const [input, at] of rows) {
    const last = results[results.length - 1] as StepResult;
    results.push(step(last.state, input, at));
  }
  return results;
}
const types = (r: StepResult | undefined) => r?.commands.map((c) => c.type);

describe("a scheduled call", () => {
  it("does not dial at start; its alarm is its due time, its dial timeout runs from then", () => {
    const [start] = run();
    expect(start?.commands).toEqual([]);
    expect(start?.state.call.status).toBe("queued");
    expect(nextAlarm(start?.state as StepResult["state"])).toBe(DUE);
    expect(start?.state.call.deadline).toEqual({ at: DUE + 60_000, reason: "dial_timeout" });
  });

  it("an early alarm does nothing; the due alarm rechecks, and a pass dials attempt 1", () => {
    const [, early, due, passed] = run(
      [{ type: "alarm" }, DUE - 1],
      [{ type: "alarm" }, DUE],
      [{ type: "recheck_done", error: null }, DUE + 50],
    );
    expect(types(early)).toEqual([]);
    expect(types(due)).toEqual(["recheck"]);
    expect(passed?.commands).toEqual([{ type: "dial", attempt: 1 }]);
  });

  it("a failed guardrail ends it failed with that token, undialed, its post-call work started", () => {
    const [, , failed] = run(
      [{ type: "alarm" }, DUE],
      [{ type: "recheck_done", error: "do_not_call" }, DUE + 50],
    );
    expect(failed?.state.call).toMatchObject({
      status: "failed",
      error: "do_not_call",
      providerCallId: null,
    });
    expect(types(failed)).toEqual(expect.arrayContaining(["run_post_call"]));
    expect(types(failed)).not.toContain("dial");
  });

  it("a recheck that could not read storage is tried again later", () => {
    const [, , retried, again] = run(
      [{ type: "alarm" }, DUE],
      [{ type: "recheck_failed" }, DUE + 50],
      [{ type: "alarm" }, DUE + 50 + 2000],
    );
    expect(retried?.state.dial).toEqual({ attempts: 0, dueAt: DUE + 2050 });
    expect(types(again)).toEqual(["recheck"]);
  });

  it("canceled before it is due: never dialed, and a late recheck result changes nothing", () => {
    const [, canceled, late] = run(
      [{ type: "cancel" }, T0 + 10],
      [{ type: "recheck_done", error: null }, DUE + 50],
    );
    expect(canceled?.state.call).toMatchObject({ status: "failed", error: "canceled" });
    expect(late?.commands).toEqual([]);
  });
});
