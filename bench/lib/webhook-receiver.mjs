/** A local webhook receiver for the benches: records every request and answers 200 at once. */
import { createServer as createHttpServer } from "node:http";
import { HOST } from "./harness.mjs";

/**
 * Records every request (Standard Webhooks headers, raw body, parsed JSON) with its arrival time
 * in epoch ms, and answers 200 at once.
 */
export function startReceiver() {
  const deliveries = [];
  const server = createHttpServer((req, res) => {
    // Arrival: when the request's headers are in (the bodies are a few KiB at most).
    const at = performance.timeOrigin + performance.now();
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      const raw = Buffer.concat(chunks).toString("utf8");
      let json;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      deliveries.push({
        at,
        method: req.method,
        path: req.url,
        headers: {
          "webhook-id": String(req.headers["webhook-id"] ?? ""),
          "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
          "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
        },
        raw,
        json,
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const address = server.address();
      resolve({
        server,
        deliveries,
        port: typeof address === "object" && address ? address.port : 0,
      });
    });
  });
}
