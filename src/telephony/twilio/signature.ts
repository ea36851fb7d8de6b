/**
 * X-Twilio-Signature (protocols.md A): base64(HMAC-SHA1(authToken, url + Σ sorted(key + value))).
 * Array values are de-duplicated, sorted, and appended as key+value for each element. Twilio's
 * SDK accepts the URL with and without the default port, and so do we.
 */
import { bytesToBase64 } from "../../audio/pcm";

export type SignedParams = Record<string, string | readonly string[]>;

export async function twilioSignature(authToken: string, url: string, params: SignedParams = {}) {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    const values = typeof value === "string" ? [value] : [...new Set(value)].sort();
    for (const v of values) data += key + v;
  }
  const enc = new TextEncoder();
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    enc.encode(authToken),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", hmacKey, enc.encode(data));
  return bytesToBase64(new Uint8Array(mac));
}

export async function verifyTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: SignedParams = {},
): Promise<boolean> {
  if (!signature) return false;
  for (const candidate of urlVariants(url)) {
    const expected = await twilioSignature(authToken, candidate, params);
    if (constantTimeEqual(expected, signature)) return true;
  }
  return false;
}

function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = { "https:": "443", "wss:": "443", "http:": "80", "ws:": "80" }[
    parsed.protocol
  ];
  if (!defaultPort) return [url];
  const withoutPort = url.replace(`${parsed.hostname}:${defaultPort}`, parsed.hostname);
  const withPort = parsed.port
    ? url
    : url.replace(parsed.host, `${parsed.hostname}:${defaultPort}`);
  return [...new Set([url, withoutPort, withPort])];
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Form body → params, keeping repeated keys as arrays (StatusCallbackEvent repeats). */
export function formParams(body: URLSearchParams): SignedParams {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(body.keys())) {
    const all = body.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

/** Reads a form-encoded body (decoded as bytes: workers warn on .text() for form bodies). */
export async function readForm(request: Request): Promise<URLSearchParams> {
  return new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
}
