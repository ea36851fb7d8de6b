/**
 * createApp(): the Hono app with its error handling, per-request context and routes.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { makeDb } from "./db/client";
import { ConfigError, readConfig } from "./env";
import { ApiError, type ErrorToken, statusOf } from "./errors";
import { adminRoutes } from "./http/admin.routes";
import type { AppEnv } from "./http/app-env";
import { callsRoutes } from "./http/calls.routes";
import { docsRoutes } from "./http/docs.routes";
import { telephonyRoutes } from "./http/telephony.routes";
import { mcpRoutes } from "./mcp/mcp.routes";
import { SIMULATOR_API_PATH } from "./telephony/provider";
import { simulatorRoutes } from "./telephony/simulator/simulator.routes";
import { SIMULATED_MODEL_PATH } from "./voice/simulator/simulated-model";
import { simulatedModelRoutes } from "./voice/simulator/simulated-model.routes";

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    c.set("config", readConfig(c.env));
    c.set("db", makeDb(c.env.DB));
    await next();
  });

  app.get("/health", (c) => c.json({ ok: true }));
  app.route("/", docsRoutes);
  app.route("/v1/agent/calls", callsRoutes);
  app.route("/admin", adminRoutes);
  app.route("/mcp", mcpRoutes);
  app.route("/telephony/twilio", telephonyRoutes);
  app.route(SIMULATOR_API_PATH, simulatorRoutes);
  app.route(SIMULATED_MODEL_PATH, simulatedModelRoutes);

  app.notFound((c) => c.json({ error: "not_found" }, 404));

  app.onError((e, c) => {
    const token = tokenFor(e);
    const status = statusOf(token);
    const log = { requestId: c.get("requestId"), method: c.req.method, path: c.req.path, token };
    if (status >= 500) console.error("request failed", { ...log, error: describe(e) });
    else console.info("request rejected", log);
    const headers = e instanceof ApiError ? e.headers : {};
    return c.json({ error: token }, status, headers);
  });

  return app;
}

function tokenFor(e: Error): ErrorToken {
  if (e instanceof ApiError) return e.token;
  if (e instanceof ConfigError) return "bad_environment";
  // Hono's own validator throws 400 for unreadable JSON before our schemas see anything.
  if (e instanceof HTTPException && e.status === 400) return "invalid_json";
  if (e instanceof HTTPException && e.status === 413) return "payload_too_large";
  return "internal";
}

function describe(e: Error): string {
  const cause = e.cause instanceof Error ? ` (cause: ${e.cause.message})` : "";
  return `${e.stack ?? e.message}${cause}`;
}
