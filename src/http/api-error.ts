/** The HTTP layer's error: a token from the one table, answered as `{ "error": token }`. */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Failure, Outcome } from "../app/outcome";
import { type ErrorToken, statusOf } from "../domain/error-tokens";

export class ApiError extends Error {
  readonly token: ErrorToken;
  /** Extra response headers, e.g. Retry-After on rate_limited. */
  readonly headers: Record<string, string>;

  constructor(token: ErrorToken, opts: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(token, { cause: opts.cause });
    this.name = "ApiError";
    this.token = token;
    this.headers = opts.headers ?? {};
  }

  get status(): ContentfulStatusCode {
    return statusOf(this.token);
  }
}

/** A use case's value, or its failure as the ApiError that answers it. */
export function orThrow<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw apiErrorOf(outcome.error);
}

export function apiErrorOf(failure: Failure): ApiError {
  const headers: Record<string, string> = {};
  if (failure.retryAfterSec !== undefined) headers["Retry-After"] = String(failure.retryAfterSec);
  if (failure.nextWindowAt !== undefined) headers["Next-Window-At"] = failure.nextWindowAt;
  if (failure.size !== undefined) headers["content-range"] = `bytes */${failure.size}`;
  return new ApiError(failure.token, { cause: failure.cause, headers });
}
