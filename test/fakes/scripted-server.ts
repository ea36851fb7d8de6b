/**
 * A scripted WebSocket server for provider tests: a transport that answers the upgrade with one
 * end of a WebSocketPair (as the runtime's fetch would) and lets the test read what the client
 * sent and send the provider's frames itself.
 */
import type { ToolCall } from "../../src/domain/tool";

export type ScriptedServer = {
  requests: Request[];
  /** Messages each connection received, parsed as JSON. */
  received: unknown[][];
  /** The server end of connection n (0-based). */
  socket(n?: number): WebSocket;
  send(message: unknown, opts?: { binary?: boolean; connection?: number }): void;
  transport: (request: Request) => Promise<Response>;
  /** Resolves once connection n has received at least `count` messages. */
  waitFor(count: number, connection?: number): Promise<void>;
};

export function scriptedServer(): ScriptedServer {
  const sockets: WebSocket[] = [];
  const received: unknown[][] = [];
  const requests: Request[] = [];
  const waiters: { n: number; count: number; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if ((received[w.n]?.length ?? 0) >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const socket = (n = sockets.length - 1) => {
    const s = sockets[n];
    if (!s) throw new Error(`no connection ${n}`);
    return s;
  };
  return {
    requests,
    received,
    socket,
    send(message, opts = {}) {
      const text = JSON.stringify(message);
      socket(opts.connection).send(opts.binary ? new TextEncoder().encode(text) : text);
    },
    async transport(request) {
      requests.push(request);
      const pair = new WebSocketPair();
      const server = pair[1];
      server.accept();
      const n = sockets.length;
      sockets.push(server);
      received.push([]);
      server.addEventListener("message", (e) => {
        received[n]?.push(
          JSON.parse(typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data)),
        );
        check();
      });
      return new Response(null, { status: 101, webSocket: pair[0] });
    },
    waitFor(count, connection = sockets.length - 1) {
      return new Promise((resolve) => {
        waiters.push({ n: connection, count, resolve });
        check();
      });
    },
  };
}

/** Records every VoiceEvents call. */
export function recordingEvents() {
  const log: [string, ...unknown[]][] = [];
  return {
    log,
    events: {
      audio: (mulaw: Uint8Array) => log.push(["audio", mulaw]),
      interrupted: () => log.push(["interrupted"]),
      transcript: (speaker: string, text: string) => log.push(["transcript", speaker, text]),
      turnComplete: () => log.push(["turnComplete"]),
      toolCall: (call: ToolCall) => log.push(["toolCall", call]),
      closed: (reason: string) => log.push(["closed", reason]),
    },
  };
}
