/** /openapi.json and a readable /docs page rendered from it (no external assets, works offline). */
import { Hono } from "hono";
import { html, raw } from "hono/html";
import type { AppEnv } from "./app-env";
import { buildOpenApi } from "./openapi";

type Doc = ReturnType<typeof buildOpenApi>;

export const docsRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(buildOpenApi(new URL(c.req.url).origin)))
  .get("/docs", (c) => c.html(renderDocs(buildOpenApi(new URL(c.req.url).origin))));

function renderDocs(doc: Doc) {
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${doc.info.title}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code,pre{background:#f4f4f4;padding:.1rem .3rem}pre{padding:1rem;overflow:auto}
h2{border-top:1px solid #ddd;padding-top:1rem}.m{font-weight:700;text-transform:uppercase}</style></head>
<body><h1>${doc.info.title}</h1><p>${doc.info.description}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).</p>
${operations.map(
  ({ path, method, op }) => html`<h2><span class="m">${method}</span> <code>${path}</code></h2>
<p>${op.summary}${"description" in op ? html` — ${op.description}` : ""}</p>
<ul>${Object.entries(op.responses as Record<string, { description: string }>).map(
    ([status, r]) => html`<li><b>${status}</b> ${r.description}</li>`,
  )}</ul>`,
)}
<h2>Schemas</h2>
${Object.entries(doc.components.schemas).map(
  ([name, s]) => html`<h3>${name}</h3><pre>${raw(escapeHtml(JSON.stringify(s, null, 2)))}</pre>`,
)}
</body></html>`;
}

function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
