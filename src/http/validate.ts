/**
 * The one place where zod failures become error tokens. Every route is declared with its OpenAPI
 * contract (@hono/zod-openapi) and validated through the hook below, which throws an ApiError with
 * the token the route picks for that target, so zod's own result shape never reaches a client.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import type { ErrorToken } from "../domain/error-tokens";
import { ApiError } from "./api-error";
import type { AppEnv } from "./app-env";

export const MAX_BODY_BYTES = 64 * 1024;

export type TokenOf = (issues: readonly z.core.$ZodIssue[]) => ErrorToken;

type ValidationResult = { target: keyof ValidationTargets } & (
  | { success: true }
  | { success: false; error: z.ZodError }
);

const invalidRequest: TokenOf = () => "invalid_request";

/** A route's validation hook: a failing target throws ApiError with the token its function picks. */
export function rejectWith(tokenOf: Partial<Record<keyof ValidationTargets, TokenOf>> = {}) {
  return (result: ValidationResult): undefined => {
    if (result.success) return undefined;
    const token = (tokenOf[result.target] ?? invalidRequest)(result.error.issues);
    throw new ApiError(token, { cause: result.error });
  };
}

/** A router whose routes answer invalid_request for any target their own hook does not name. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: rejectWith() });
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
