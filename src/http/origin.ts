/**
 * Our public origin, for the URLs we hand out (recordingUrl, the OpenAPI document's server, the
 * carrier's callbacks): PUBLIC_BASE_URL when set, which production requires. Only without it
 * (local development, tests) is it the request's origin, which follows the client's Host header.
 */
import type { Context } from "hono";
import type { AppEnv } from "./app-env";

export function publicOrigin(c: Context<AppEnv>): string {
  return c.get("config").publicBaseUrl ?? new URL(c.req.url).origin;
}
