/**
 * /mcp: a remote MCP server over Streamable HTTP (the SDK's web-standard transport, stateless:
 * a fresh server and transport per request, JSON responses). Authenticated with the same API key
 * as REST, and subject to the same guardrails, limits and tenant scope.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { Hono } from "hono";
import { runTool, type ToolContext, toolList } from "../mcp/tools";
import { ApiError } from "./api-error";
import type { AppEnv } from "./app-env";
import { requireApiKey } from "./auth";

export const mcpRoutes = new Hono<AppEnv>()
  .use(requireApiKey)
  .post("/", async (c) => {
    const ctx: ToolContext = {
      env: c.env,
      config: c.get("config"),
      db: c.get("db"),
      principal: c.get("principal"),
      request: {
        requestOrigin: new URL(c.req.url).origin,
        waitUntil: (p) => c.executionCtx.waitUntil(p),
      },
      signal: c.req.raw.signal,
    };
    const server = new Server(
      { name: "byourside-voice", version: "1.0.0" },
      { capabilities: { tools: {} } },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolList() }));
    server.setRequestHandler(CallToolRequestSchema, async (request) =>
      runTool(ctx, request.params.name, request.params.arguments),
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw);
  })
  // Stateless: no server-initiated stream to open, no session to delete.
  .on(["GET", "DELETE"], "/", () => {
    throw new ApiError("method_not_allowed");
  });
