/**
 * The contract of /mcp, for the document only: the MCP routes (src/mcp) hand the request to the
 * SDK's transport, which reads and answers JSON-RPC itself.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { AGENT_KEY, errorResponses, jsonResponse } from "./openapi";

const JsonRpcMessage = z
  .looseObject({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string(), z.number()]).optional(),
    method: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("JsonRpcMessage", {
    example: { jsonrpc: "2.0", id: 1, method: "tools/list" },
  });

const security = [{ [AGENT_KEY]: [] }];

export const mcpRoutes = [
  createRoute({
    method: "post",
    path: "/mcp",
    operationId: "mcp",
    tags: ["MCP"],
    summary: "MCP over Streamable HTTP (stateless, JSON responses)",
    description:
      'Tools: place_call, wait_for_call, get_call, list_calls, cancel_call, over the same use cases as REST. A failing tool answers a tool error whose text is the REST body, `{ "error": token }`; protocol errors are JSON-RPC error objects from the transport.',
    security,
    request: {
      body: { required: true, content: { "application/json": { schema: JsonRpcMessage } } },
    },
    responses: {
      200: jsonResponse(JsonRpcMessage, "The JSON-RPC response."),
      202: { description: "A notification or response was accepted." },
      ...errorResponses("unauthorized", "store_error"),
    },
  }),
  ...(["get", "delete"] as const).map((method) =>
    createRoute({
      method,
      path: "/mcp",
      tags: ["MCP"],
      summary: "Not offered: the server is stateless (no stream to open, no session to delete)",
      security,
      responses: errorResponses("unauthorized", "store_error", "method_not_allowed"),
    }),
  ),
];
