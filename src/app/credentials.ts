/**
 * Minting API keys and webhook secrets. An API key is `bys_ak_` + 40 base62 characters
 * (≈238 bits); only its SHA-256 and a display prefix are stored. A webhook secret follows
 * Standard Webhooks: `whsec_` + base64 of 32 random bytes.
 */
import { bytesToBase64 } from "../audio/pcm";
import { randomBase62, sha256Hex } from "../lib/crypto";

const KEY_PREFIX = "bys_ak_";
const KEY_RANDOM_CHARS = 40;
const DISPLAY_CHARS = KEY_PREFIX.length + 6;

export async function mintApiKey(): Promise<{ key: string; hash: string; prefix: string }> {
  const key = KEY_PREFIX + randomBase62(KEY_RANDOM_CHARS);
  return { key, hash: await sha256Hex(key), prefix: key.slice(0, DISPLAY_CHARS) };
}

export function mintWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${bytesToBase64(bytes)}`;
}
