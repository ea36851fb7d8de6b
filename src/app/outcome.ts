/**
 * What a use case answers: its value, or a Failure that names a token of the one table. Use cases
 * never build HTTP errors; the routes and MCP tools turn a Failure into their own answer.
 */
import type { ErrorToken } from "../domain/error-tokens";
import { err, ok, type Result } from "../lib/result";

export type Failure = {
  token: ErrorToken;
  /** rate_limited, destination_frequency_capped: how long until a retry can succeed. */
  retryAfterSec?: number;
  /** outside_calling_window: when the recipient's calling window next opens (ISO 8601 UTC). */
  nextWindowAt?: string;
  /** range_not_satisfiable: the size of the resource. */
  size?: number;
  /** For the logs only. */
  cause?: unknown;
};

export type Outcome<T> = Result<T, Failure>;

export function fail(token: ErrorToken, extra: Omit<Failure, "token"> = {}): Outcome<never> {
  return err({ token, ...extra });
}

/** Runs a storage step; a failure of the store is `store_error`. */
export async function stored<T>(step: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return ok(await step());
  } catch (cause) {
    return fail("store_error", { cause });
  }
}
