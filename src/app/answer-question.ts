/** answerQuestion: the requester answers the agent's pending question (REST and MCP). */
import { findCall, placedCallOf } from "../db/calls.queries";
import type { Db } from "../db/client";
import type { QuestionView } from "../domain/questions";
import { ok } from "../lib/result";
import type { CallEngine } from "../ports";
import { fail, type Outcome, stored } from "./outcome";

export async function answerQuestion(
  deps: { db: Db; engine: CallEngine },
  p: { accountId: string; callId: string; questionId: string; answer: string; by: "rest" | "mcp" },
): Promise<Outcome<{ callId: string; question: QuestionView }>> {
  // Tenant scope first: another account's call is not found.
  const row = await stored(() => findCall(deps.db, p.accountId, p.callId));
  if (!row.ok) return row;
  if (!row.value) return fail("not_found");
  const call = placedCallOf(row.value);
  const result = await stored(() =>
    deps.engine.answerQuestion(call, {
      questionId: p.questionId,
      answer: p.answer,
      by: p.by,
    }),
  );
  if (!result.ok) return result;
  if (result.value === "question_not_found") return fail("not_found");
  if (result.value === "question_closed") return fail("question_closed");
  return ok({ callId: p.callId, question: result.value.answered });
}
