/**
 * The one wrapper around @hono/zod-validator: every validation failure becomes an ApiError with
 * the token the caller chooses, so zod's own result shape never reaches a client.
 */
import { zValidator } from "@hono/zod-validator";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { ApiError, type ErrorToken } from "../errors";
import type { AppEnv } from "./app-env";

export const MAX_BODY_BYTES = 64 * 1024;

type TokenOf = (issues: readonly z.core.$ZodIssue[]) => ErrorToken;

export function validate<T extends keyof ValidationTargets, S extends z.ZodType>(
  target: T,
  schema: S,
  tokenOf: TokenOf,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw new ApiError(tokenOf(result.error.issues), { cause: result.error });
  });
}

/** Bounds the body and insists on JSON, before a body validator reads it. */
export const jsonOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") throw new ApiError("unsupported_media_type");
  return limit(c, next);
};

const limit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large");
  },
});
