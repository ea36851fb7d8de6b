/**
 * Where we may send a webhook, checked at placement and again before every attempt (a stored URL
 * may predate a rule). Pure. Production: HTTPS on the default port, no credentials, a DNS name
 * that is not local or internal — and no IP literal at all, in any spelling (the WHATWG parser
 * turns 2130706433, 0x7f000001 and 0177.0.0.1 into 127.0.0.1 before we look).
 * Trailing dots are removed before any check (`https://127.0.0.1../` is 127.0.0.1).
 * Local development may also use http://127.0.0.1 / http://localhost (ALLOW_LOCAL_WEBHOOKS).
 * Names that resolve to private addresses are left to the platform: Workers' fetch cannot reach
 * private networks.
 */
import { err, ok, type Result } from "../lib/result";

const LOCAL_DEV_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const BLOCKED_SUFFIXES = [
  ".localhost",
  ".local",
  ".internal",
  ".localdomain",
  ".home.arpa",
  ".arpa",
];
const BLOCKED_NAMES = new Set(["localhost", "metadata", "instance-data"]);

const IPV4_LITERAL = /^\d{1,3}(\.\d{1,3}){3}$/;

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
  const host = normalisedHost(url.hostname);
  if (host === undefined) return err("invalid_webhook_url");
  if (opts.allowLocal && url.protocol === "http:" && LOCAL_DEV_HOSTS.has(host))
    return ok(url.toString());
  if (url.protocol !== "https:" || url.port !== "") return err("invalid_webhook_url");
  if (IPV4_LITERAL.test(host) || host.startsWith("[")) return err("invalid_webhook_url");
  // Single-label names (intranet, printer) only resolve inside private networks.
  if (!host.includes(".") || BLOCKED_NAMES.has(host)) return err("invalid_webhook_url");
  if (BLOCKED_SUFFIXES.some((s) => host.endsWith(s))) return err("invalid_webhook_url");
  return ok(url.toString());
}

/**
 * The host as DNS and the IP parser will see it: lower case, without its trailing dots (any
 * number: `127.0.0.1..` would otherwise pass as a name), spelled again by the WHATWG parser so
 * what the dots hid is canonical too (`127.1..` → `127.0.0.1`). Undefined for an empty label,
 * which no DNS name has.
 */
function normalisedHost(hostname: string): string | undefined {
  const bare = hostname.toLowerCase().replace(/\.+$/, "");
  if (bare === "" || bare.split(".").includes("")) return undefined;
  if (bare === hostname.toLowerCase()) return bare;
  try {
    return new URL(`https://${bare}/`).hostname;
  } catch {
    return undefined;
  }
}
