/** The drizzle handle over D1, and how a storage failure is described in a log. */
import { DrizzleQueryError } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof makeDb>;

export function makeDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

/**
 * A failure as a log line may show it. For a failed query: which statement (its kind and first
 * table) and the storage error's message and code (`D1_ERROR: no such table: calls:
 * SQLITE_ERROR`), never the parameters, which are also scrubbed from that message should the
 * database quote one. Other errors: their name and message, with the same for any cause.
 */
export function describeError(e: unknown): string {
  if (e instanceof DrizzleQueryError) {
    const cause = e.cause ? scrub(describeError(e.cause), e.params) : "no cause";
    return `query failed (${statementOf(e.query)}): ${cause}`;
  }
  if (!(e instanceof Error)) return typeof e === "string" ? e : "non-Error thrown";
  const own = `${e.name}: ${e.message}`;
  return e.cause === undefined ? own : `${own} (cause: ${describeError(e.cause)})`;
}

/** `insert into calls`, `select from phone_numbers`: what kind of statement, on what. */
function statementOf(sql: string): string {
  const words = sql.trim().replace(/\s+/g, " ").toLowerCase();
  const kind = /^\w+/.exec(words)?.[0] ?? "query";
  const table = /\b(?:into|from|update)\s+"?([a-z_][a-z0-9_]*)"?/.exec(words)?.[1];
  return table ? `${kind} … ${table}` : kind;
}

function scrub(text: string, params: unknown[]): string {
  let out = text;
  for (const p of params) {
    const value = typeof p === "string" ? p : typeof p === "number" ? String(p) : "";
    // Short values (a status, a count) are also common words of an error message; long ones are
    // what a log must not carry.
    if (value.length >= 6) out = out.replaceAll(value, "?");
  }
  return out;
}
