// Gemini Live's part for bench:calls, in Node: the BidiGenerateContent WebSocket answers `setup`
// with `setupComplete`, and each 20 ms of caller audio it receives with 20 ms of its own audio
// (24 kHz PCM16) after a fixed think time, as the real model speaks after it heard something.
// Which bench call a session belongs to is read from its system instruction (the objective).
import { WebSocketServer } from "ws";
import { pcm16FromBytes } from "../../src/audio/pcm.ts";
import { FrameCutter, MODEL_REPLIES } from "./tagged-audio.mjs";

/**
 * `hooks.session(callIndex)`: a session was set up for that call.
 * `hooks.flowing(callIndex)`: the call's caller audio reaches the model (the carrier sends silence
 *   until then, as frames sent before the bridge runs are not forwarded).
 * `hooks.callerFrame(callIndex, index, tone, at)`: 20 ms of caller audio arrived.
 * `hooks.replied(callIndex, index, at)`: the model sent its 20 ms reply to frame `index`.
 */
export function fakeGeminiLive({ path, thinkMs, hooks }) {
  const wss = new WebSocketServer({ noServer: true });

  wss.on("connection", (ws) => {
    let callIndex = -1;
    let cutter;
    let flowing = false;
    /** The window of the first tagged frame: the carrier sends silence until audio flows. */
    let firstTagged = -1;
    ws.on("message", (data) => {
      const at = performance.now();
      const text = data.toString();
      if (callIndex < 0) {
        if (!text.includes('"setup"')) return;
        const m = /bench call (\d+)/.exec(text);
        if (!m) return ws.close(1008, "not a bench call");
        callIndex = Number(m[1]);
        ws.send(JSON.stringify({ setupComplete: {} }));
        // Every forwarded 20 ms is 320 samples here, so windows keep to the carrier's frames.
        cutter = new FrameCutter(320, 16_000, (window, tone) => {
          if (firstTagged < 0) {
            if (tone < 0) return;
            firstTagged = window;
          }
          const index = window - firstTagged;
          hooks.callerFrame(callIndex, index, tone, cutter.at);
          setTimeout(() => {
            if (ws.readyState !== ws.OPEN) return;
            ws.send(MODEL_REPLIES[index % MODEL_REPLIES.length]);
            hooks.replied(callIndex, index, performance.now());
          }, thinkMs);
        });
        hooks.session(callIndex);
        return;
      }
      if (!text.startsWith('{"realtimeInput":{"audio"')) return;
      const b64 = JSON.parse(text).realtimeInput.audio.data;
      const bytes = Buffer.from(b64, "base64");
      if (!flowing) {
        flowing = true;
        hooks.flowing(callIndex);
      }
      cutter.at = at;
      cutter.push(pcm16FromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)));
    });
    ws.on("error", () => {});
  });

  return {
    /** For the HTTP server's `upgrade` event: takes the request if it is for this path. */
    upgrade(req, socket, head) {
      if (!req.url?.startsWith(path)) return false;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
      return true;
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
