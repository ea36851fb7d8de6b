/**
 * Serves the simulated voice model at the Gemini Live path under /simulator/gemini-live, only
 * when VOICE_PROVIDER=simulator. The Gemini Live client connects to it exactly as to Google.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { GEMINI_LIVE_PATH } from "../gemini-live/session";
import { SimulatedModel } from "./simulated-model";

export const simulatedModelRoutes = new Hono<AppEnv>().get(GEMINI_LIVE_PATH, (c) => {
  if (c.get("config").voiceProvider !== "simulator") return c.json({ error: "not_found" }, 404);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    return c.json({ error: "invalid_request" }, 426);
  const pair = new WebSocketPair();
  const server = pair[1];
  server.accept();
  const model = new SimulatedModel((frame) => {
    try {
      server.send(frame);
    } catch {
      // the bridge hung up
    }
  });
  server.addEventListener("message", (e) => {
    if (typeof e.data === "string") model.receive(e.data);
  });
  return new Response(null, { status: 101, webSocket: pair[0] });
});
