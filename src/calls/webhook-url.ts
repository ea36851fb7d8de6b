/**
 * What a webhook URL must look like at placement: absolute HTTPS, no credentials. Local
 * development may also use http://127.0.0.1 or http://localhost so a receiver on the same machine
 * can be tried; a production config never allows that (see env.ts). Pure.
 */
import { err, ok, type Result } from "../lib/result";

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function checkWebhookUrl(
  raw: string,
  opts: { allowLocal: boolean },
): Result<string, "invalid_webhook_url"> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return err("invalid_webhook_url");
  }
  if (url.username || url.password) return err("invalid_webhook_url");
  if (url.protocol === "https:" && url.hostname.length > 0) return ok(url.toString());
  if (opts.allowLocal && url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname)) {
    return ok(url.toString());
  }
  return err("invalid_webhook_url");
}
