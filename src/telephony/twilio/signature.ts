/**
 * Twilio request signatures (protocols.md A, G), verified as twilio-node's `validateRequest` does.
 *
 * X-Twilio-Signature is base64(HMAC(key, url + Σ sorted(key + value))). Array values are
 * de-duplicated, sorted, and appended as key+value for each element. Twilio's SDK accepts the URL
 * with and without the default port, and so do we.
 *
 * The key and hash depend on the account's Webhooks configuration:
 * - no `X-Twilio-Webhooks-Signature-Settings` header: HMAC-SHA1 keyed with the auth token;
 * - with it (a Webhooks Rule matched the URL; e.g. `key=KS…,algorithm=HMAC_SHA256`): the hash it
 *   names, keyed with that Setting's SharedKey secret. Only the hash and key change; the signed
 *   string is the same. An algorithm we do not know, or no SharedKey secret configured, refuses.
 */
import { bytesToBase64 } from "../../audio/pcm";

export type SignedParams = Record<string, string | readonly string[]>;

export const SIGNATURE_HEADER = "x-twilio-signature";
export const SIGNATURE_SETTINGS_HEADER = "x-twilio-webhooks-signature-settings";

/** The algorithms the settings header may name, and the WebCrypto hash of each. */
const HASHES = { HMAC_SHA1: "SHA-1", HMAC_SHA256: "SHA-256" } as const;
export type SignatureAlgorithm = keyof typeof HASHES;

/** The keys a deployment verifies with: the auth token, and the Webhooks SharedKey secret if any. */
export type SigningKeys = { authToken: string; sharedKeySecret?: string | undefined };

export async function twilioSignature(
  key: string,
  url: string,
  params: SignedParams = {},
  algorithm: SignatureAlgorithm = "HMAC_SHA1",
) {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = typeof value === "string" ? [value] : [...new Set(value)].sort();
    for (const v of values) data += name + v;
  }
  const enc = new TextEncoder();
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    enc.encode(key),
    { name: "HMAC", hash: HASHES[algorithm] },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", hmacKey, enc.encode(data));
  return bytesToBase64(new Uint8Array(mac));
}

export async function verifyTwilioSignature(
  key: string,
  signature: string | undefined,
  url: string,
  params: SignedParams = {},
  algorithm: SignatureAlgorithm = "HMAC_SHA1",
): Promise<boolean> {
  if (!signature) return false;
  for (const candidate of urlVariants(url)) {
    const expected = await twilioSignature(key, candidate, params, algorithm);
    if (constantTimeEqual(expected, signature)) return true;
  }
  return false;
}

/**
 * The algorithm a settings header names (`key=…,algorithm=…`, in any order, spaces allowed);
 * HMAC_SHA1 without a header, as Twilio signs then; undefined for one we do not know.
 */
export function signatureAlgorithmOf(settings: string | undefined): SignatureAlgorithm | undefined {
  if (settings === undefined) return "HMAC_SHA1";
  for (const part of settings.split(",")) {
    const [name, value] = part.split("=").map((s) => s.trim());
    if (name?.toLowerCase() !== "algorithm" || !value) continue;
    const algorithm = value.toUpperCase();
    return algorithm === "HMAC_SHA1" || algorithm === "HMAC_SHA256" ? algorithm : undefined;
  }
  return undefined;
}

/** Why a request's signature was not accepted (for logs), or "ok". */
export type Verdict = "ok" | "bad_signature" | "unknown_algorithm" | "no_shared_key";

/**
 * Verifies a Twilio request against any of the URLs it may have been signed for: with the auth
 * token and HMAC-SHA1 when it has no settings header, else with the SharedKey secret and the
 * header's algorithm (twilio-node's `webhook()` does the same, and answers 500 where we refuse
 * without a secret: fail closed, and say why in the log).
 */
export async function verifyTwilioRequest(
  keys: SigningKeys,
  headers: { signature: string | undefined; settings: string | undefined },
  urls: readonly string[],
  params: SignedParams = {},
): Promise<Verdict> {
  const algorithm = signatureAlgorithmOf(headers.settings);
  if (!algorithm) return "unknown_algorithm";
  const key = headers.settings === undefined ? keys.authToken : keys.sharedKeySecret;
  if (!key) return "no_shared_key";
  for (const url of urls)
    if (await verifyTwilioSignature(key, headers.signature, url, params, algorithm)) return "ok";
  return "bad_signature";
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
