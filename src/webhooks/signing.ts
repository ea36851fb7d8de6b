/**
 * Standard Webhooks signatures (standardwebhooks.com): HMAC-SHA256 over `${id}.${timestamp}.${body}`
 * with the base64 secret after `whsec_`, sent as `webhook-signature: v1,<base64>`. While a rotated
 * secret is in its grace period both sign, space-separated, so receivers with either verify.
 */
import { base64ToBytes, bytesToBase64 } from "../audio/pcm";

export type SignedHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

export async function signWebhook(
  secrets: readonly string[],
  id: string,
  timestampSec: number,
  body: string,
): Promise<SignedHeaders> {
  const content = new TextEncoder().encode(`${id}.${timestampSec}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const key = await crypto.subtle.importKey(
        "raw",
        secretBytes(secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
      return `v1,${bytesToBase64(mac)}`;
    }),
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSec),
    "webhook-signature": signatures.join(" "),
  };
}

function secretBytes(secret: string): Uint8Array {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  return base64ToBytes(b64);
}
