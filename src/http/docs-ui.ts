/**
 * The API-reference page (Scalar) over /openapi.json. Its browser bundle is served from this
 * Worker, imported as a string (the wrangler.toml Text rule), so /docs needs no CDN and works
 * offline; default fonts and telemetry, which would reach scalar.com, are off.
 */
import { html, raw } from "hono/html";
import scalarBundle from "../../node_modules/@scalar/api-reference/dist/browser/standalone.js";

export const SCALAR_BUNDLE: string = scalarBundle;
export const SCALAR_PATH = "/docs/scalar.js";

const CONFIG = {
  url: "/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: false,
};

export type Operation = { method: string; path: string; summary: string };

/** The page; without JavaScript it still lists the operations, and links the raw document. */
export function docsPage(title: string, operations: Operation[]) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body>
<noscript>
<h1>${title}</h1>
<p>The interactive reference needs JavaScript. The document: <a href="/openapi.json">/openapi.json</a>.</p>
<ul>${operations.map((o) => html`<li><code>${o.method.toUpperCase()} ${o.path}</code> ${o.summary}</li>`)}</ul>
</noscript>
<div id="app"></div>
<script src="${SCALAR_PATH}"></script>
<script>Scalar.createApiReference("#app", ${raw(JSON.stringify(CONFIG))});</script>
</body>
</html>`;
}
