/**
 * In-process delivery to this Worker's own HTTP surface. The built-in simulated carrier calls our
 * public endpoints (signed callbacks, the media WebSocket upgrade) exactly as Twilio would, and our
 * Twilio client calls the simulator's Twilio-compatible REST API; when the target is our own
 * origin the request goes to the Worker's own entry through `ctx.exports` (a loopback binding)
 * instead of leaving through the network, which works the same under `wrangler dev`, in tests
 * and deployed.
 */
export type Transport = (request: Request) => Promise<Response>;

/** The Worker's own entry, as `ctx.exports.default` gives it to the Worker and its objects. */
export type SelfEntry = { fetch(request: Request): Promise<Response> };

export function loopbackTransport(self: SelfEntry, ownOrigin: string): Transport {
  return async (request) =>
    new URL(request.url).origin === ownOrigin ? self.fetch(request) : fetch(request);
}

/** wss://host/path → https://host/path: fetch() upgrades to WebSocket over http(s) URLs. */
export function httpUrlOfWebSocket(wsUrl: string): string {
  return wsUrl.replace(/^ws(s?):/, "http$1:");
}

/** https://host/path → wss://host/path. */
export function webSocketUrlOf(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):/, "ws$1:");
}
