/**
 * TwiML for an outbound AI call: connect the answered call to our media WebSocket. The stream URL
 * must carry no query string, so the per-call secret travels as a <Parameter> (protocols.md B).
 */
export function connectStreamTwiml(streamUrl: string, params: Record<string, string>): string {
  const parameters = Object.entries(params)
    .map(([name, value]) => `<Parameter name="${xml(name)}" value="${xml(value)}"/>`)
    .join("");
  return `<Response><Connect><Stream url="${xml(streamUrl)}">${parameters}</Stream></Connect></Response>`;
}

/** Reads back what connectStreamTwiml wrote (the simulated carrier acts on it like Twilio). */
export function parseStreamTwiml(
  twiml: string,
): { url: string; params: Record<string, string> } | undefined {
  const url = /<Stream\s+url="([^"]*)"/.exec(twiml)?.[1];
  if (url === undefined) return undefined;
  const params: Record<string, string> = {};
  for (const m of twiml.matchAll(/<Parameter\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g)) {
    params[unxml(m[1] ?? "")] = unxml(m[2] ?? "");
  }
  return { url: unxml(url), params };
}

function xml(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

function unxml(s: string): string {
  return s
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
