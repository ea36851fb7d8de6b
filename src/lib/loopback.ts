/**
 * In-process delivery to this Worker's own HTTP surface. The built-in simulated carrier calls our
 * public endpoints (signed callbacks, the media WebSocket upgrade) exactly as Twilio would, and our
 * Twilio client calls the simulator's Twilio-compatible REST API; when the target is our own
 * origin the request is handed to the app directly instead of leaving through the network, which
 * works the same under `wrangler dev`, in tests and deployed.
 */
export type Transport = (request: Request) => Promise<Response>;
type Handler = (request: Request, env: Env, ctx: ExecutionContext) => Promise<Response> | Response;

let selfHandler: Handler | undefined;

/** Called once by the Worker entry with the app's fetch handler. */
export function registerSelf(handler: Handler): void {
  selfHandler = handler;
}

export function loopbackTransport(
  env: Env,
  waitUntil: (p: Promise<unknown>) => void,
  ownOrigin: string,
): Transport {
  const ctx = { waitUntil, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  return async (request) => {
    const url = new URL(request.url);
    if (selfHandler && url.origin === ownOrigin) return selfHandler(request, env, ctx);
    return fetch(request);
  };
}

/** wss://host/path → https://host/path: fetch() upgrades to WebSocket over http(s) URLs. */
export function httpUrlOfWebSocket(wsUrl: string): string {
  return wsUrl.replace(/^ws(s?):/, "http$1:");
}

/** https://host/path → wss://host/path. */
export function webSocketUrlOf(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):/, "ws$1:");
}
