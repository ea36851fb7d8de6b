/**
 * createApp(): the Hono app with its error handling, per-request context and routes.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { dashboardRoutes } from "../dashboard/routes";
import { describeError, makeDb } from "../db/client";
import { type ErrorToken, statusOf } from "../domain/error-tokens";
import { ConfigError, readConfig } from "../env";
import { TELEPHONY_BASE_PATH } from "../telephony/callback-paths";
import { SIMULATOR_API_PATH } from "../telephony/provider";
import { SIMULATED_MODEL_PATH } from "../voice/simulator/simulated-model";
import { adminRoutes } from "./admin.routes";
import { ApiError } from "./api-error";
import type { AppEnv } from "./app-env";
import { callsRoutes } from "./calls.routes";
import { dncRoutes } from "./dnc.routes";
import { docsRoutes } from "./docs.routes";
import { mcpRoutes as mcpContracts } from "./mcp.contracts";
import { mcpRoutes } from "./mcp.routes";
import { errorResponses, jsonResponse, registerDocumentExtras } from "./openapi";
import { simulatorRoutes } from "./simulated-carrier.routes";
import { simulatedModelRoutes } from "./simulated-model.routes";
import { telephonyRoutes } from "./telephony.routes";
import { rejectWith } from "./validate";

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  tags: ["Meta"],
  summary: "Liveness",
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true) }), "The Worker is up."),
    ...errorResponses(),
  },
});

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: rejectWith() });

  app.use(async (c, next) => {
    // Our own id: a client-sent cf-ray cannot be told from the edge's, so it is only logged.
    const requestId = crypto.randomUUID();
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    c.set("config", readConfig(c.env));
    c.set("db", makeDb(c.env.DB));
    await next();
  });

  app.openapi(healthRoute, (c) => c.json({ ok: true as const }, 200));
  app.route("/", docsRoutes(app));
  app.route("/v1/agent/calls", callsRoutes);
  app.route("/v1/agent/dnc", dncRoutes);
  app.route("/admin", adminRoutes);
  app.route("/dashboard", dashboardRoutes);
  app.route("/mcp", mcpRoutes);
  for (const route of mcpContracts) app.openAPIRegistry.registerPath(route);
  app.route(TELEPHONY_BASE_PATH, telephonyRoutes);
  // Local-only fakes of Twilio's REST API and Gemini Live, not part of the API: undocumented.
  app.route(SIMULATOR_API_PATH, simulatorRoutes);
  app.route(SIMULATED_MODEL_PATH, simulatedModelRoutes);
  registerDocumentExtras(app);

  app.notFound((c) => c.json({ error: "not_found" }, 404));

  app.onError((e, c) => {
    const token = tokenFor(e);
    const status = statusOf(token);
    const log = {
      requestId: c.get("requestId"),
      cfRay: c.req.header("cf-ray"),
      method: c.req.method,
      path: c.req.path,
      token,
    };
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
  if (e instanceof HTTPException && e.status === 415) return "unsupported_media_type";
  return "internal";
}

/**
 * The error for the log: its stack, and its causes as describeError shows them. A stack starts
 * with the message, so a storage error's (drizzle's message holds the query's parameters: the
 * request's values) is replaced by its log-safe description.
 */
function describe(e: Error): string {
  const safe = describeError(e);
  const frames = e.stack?.split("\n").filter((line) => /^\s+at /.test(line)) ?? [];
  return [safe, ...frames].join("\n");
}
