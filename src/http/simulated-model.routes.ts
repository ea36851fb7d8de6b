/**
 * Serves the simulated voice model at the Gemini Live path under /simulator/gemini-live, only
 * when VOICE_PROVIDER=simulator. The Gemini Live client connects to it exactly as to Google.
 */
import { Hono } from "hono";
import { GEMINI_LIVE_PATH } from "../voice/gemini-live/session";
import { SimulatedModel } from "../voice/simulator/simulated-model";
import { ApiError } from "./api-error";
import type { AppEnv } from "./app-env";

export const simulatedModelRoutes = new Hono<AppEnv>().get(GEMINI_LIVE_PATH, (c) => {
  if (c.get("config").voiceProvider !== "simulator") throw new ApiError("not_found");
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new ApiError("upgrade_required");
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
