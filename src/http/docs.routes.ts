/**
 * /openapi.json, generated from the routes' contracts, and /docs, an interactive reference over
 * it (schemas, examples, try-it against this server) whose script is served from here too.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";
import { docsPage, type Operation, SCALAR_BUNDLE, SCALAR_PATH } from "./docs-ui";
import { API_TITLE, errorResponses, openApiDocument, REQUEST_ID } from "./openapi";
import { publicOrigin } from "./origin";
import { createRouter } from "./validate";

const openApiRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "openApiDocument",
  tags: ["Meta"],
  summary: "This document (OpenAPI 3.1)",
  responses: {
    200: {
      description: "The OpenAPI document.",
      headers: REQUEST_ID,
      content: { "application/json": { schema: z.looseObject({ openapi: z.string() }) } },
    },
    ...errorResponses(),
  },
});

const html = { "text/html": { schema: { type: "string" as const } } };
const script = { "text/javascript": { schema: { type: "string" as const } } };

const docsRoute = createRoute({
  method: "get",
  path: "/docs",
  operationId: "docsPage",
  tags: ["Meta"],
  summary: "The interactive API reference",
  responses: {
    200: { description: "An HTML page.", headers: REQUEST_ID, content: html },
    ...errorResponses(),
  },
});

const scriptRoute = createRoute({
  method: "get",
  path: SCALAR_PATH,
  operationId: "docsScript",
  tags: ["Meta"],
  summary: "The reference page's script (Scalar's standalone bundle)",
  responses: {
    200: { description: "JavaScript.", headers: REQUEST_ID, content: script },
    ...errorResponses(),
  },
});

/** `root` is the whole app: the document describes every route registered on it. */
export function docsRoutes(root: OpenAPIHono<AppEnv>) {
  const router = createRouter();
  router.openapi(openApiRoute, (c) => c.json(openApiDocument(root, publicOrigin(c)), 200));
  router.openapi(docsRoute, (c) => {
    const doc = openApiDocument(root, publicOrigin(c));
    return c.html(docsPage(API_TITLE, operationsOf(doc.paths)), 200);
  });
  router.openapi(scriptRoute, (c) =>
    c.body(SCALAR_BUNDLE, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=86400",
    }),
  );
  return router;
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

function operationsOf(paths: ReturnType<typeof openApiDocument>["paths"]): Operation[] {
  return Object.entries(paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = item[method];
      return op ? [{ method, path, summary: op.summary ?? "" }] : [];
    }),
  );
}
