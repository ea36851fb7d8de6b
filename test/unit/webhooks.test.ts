import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  nextDeliveryDelaySec,
  RETRY_DELAYS_SEC,
  retryAfterSec,
  retryDelaySec,
} from "../../src/domain/retry-schedule";
import { checkWebhookUrl } from "../../src/domain/ssrf-guard";
import { signWebhook } from "../../src/webhooks/signing";

const prod = { allowLocal: false };

describe("SSRF guard", () => {
  it.each([
    "https://hooks.example.com/bys",
    "https://hooks.example.com:443/bys?x=1",
    "https://a.b.example.co.uk/path",
    "https://hooks.example.com./bys",
  ])("allows %s", (url) => {
    expect(checkWebhookUrl(url, prod).ok).toBe(true);
  });

  it.each([
    ["http://hooks.example.com/x", "plain http"],
    ["https://hooks.example.com:8443/x", "a port other than 443"],
    ["https://user:pw@hooks.example.com/x", "credentials"],
    ["https://127.0.0.1/x", "loopback literal"],
    ["https://10.0.0.5/x", "private literal"],
    ["https://172.16.3.4/x", "private literal"],
    ["https://192.168.1.1/x", "private literal"],
    ["https://169.254.169.254/latest/meta-data", "link-local metadata"],
    ["https://100.64.0.1/x", "CGNAT"],
    ["https://8.8.8.8/x", "any IP literal"],
    ["https://2130706433/x", "decimal IPv4"],
    ["https://0x7f000001/x", "hex IPv4"],
    ["https://0177.0.0.1/x", "octal IPv4"],
    ["https://127.1/x", "short IPv4"],
    ["https://[::1]/x", "IPv6 loopback"],
    ["https://[::ffff:127.0.0.1]/x", "IPv4-mapped IPv6"],
    ["https://[fd00::1]/x", "IPv6 unique local"],
    ["https://[fe80::1]/x", "IPv6 link-local"],
    ["https://localhost/x", "localhost"],
    ["https://api.localhost/x", "*.localhost"],
    ["https://printer.local/x", "mDNS .local"],
    ["https://metadata.google.internal/x", "cloud metadata name"],
    ["https://service.internal/x", ".internal"],
    ["https://intranet/x", "single-label name"],
    ["ftp://hooks.example.com/x", "not http"],
    ["not a url", "garbage"],
    ["http://127.0.0.1:9000/x", "local http without the dev flag"],
    ["https://127.0.0.1./x", "loopback literal, trailing dot"],
    ["https://127.0.0.1../x", "loopback literal, two trailing dots"],
    ["https://127.1../x", "short IPv4, two trailing dots"],
    ["https://169.254.169.254.../x", "metadata literal, three trailing dots"],
    ["https://metadata.google.internal./x", "cloud metadata name, trailing dot"],
    ["https://metadata.google.internal../x", "cloud metadata name, two trailing dots"],
    ["https://localhost../x", "localhost, two trailing dots"],
    ["https://intranet../x", "single-label name, two trailing dots"],
    ["https://hooks..example.com/x", "an empty label"],
  ])("refuses %s (%s)", (url) => {
    expect(checkWebhookUrl(url, prod)).toEqual({ ok: false, error: "invalid_webhook_url" });
  });

  it("lets local development use http on loopback, and nothing else over http", () => {
    const dev = { allowLocal: true };
    expect(checkWebhookUrl("http://127.0.0.1:9000/hook", dev).ok).toBe(true);
    expect(checkWebhookUrl("http://localhost:3000/hook", dev).ok).toBe(true);
    expect(checkWebhookUrl("http://10.0.0.1/hook", dev).ok).toBe(false);
    expect(checkWebhookUrl("http://example.com/hook", dev).ok).toBe(false);
  });
});

describe("retry schedule", () => {
  it("retries within seconds first, for at least 24 hours, each hop within the 12 h Queues limit", () => {
    expect(RETRY_DELAYS_SEC[0]).toBeLessThanOrEqual(10);
    expect(RETRY_DELAYS_SEC.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3600);
    for (const d of RETRY_DELAYS_SEC) expect(d * 1.1).toBeLessThanOrEqual(43_200);
    expect(retryDelaySec(1, () => 0.5)).toBe(5);
    expect(retryDelaySec(2, () => 0)).toBe(270);
    expect(retryDelaySec(2, () => 1)).toBe(330);
    expect(retryDelaySec(RETRY_DELAYS_SEC.length + 1)).toBeUndefined();
  });
  // [attempt that failed, receiver's hint in s, jitter draw, next delay]
  it.each([
    [1, undefined, 0.5, 5],
    [1, 1, 0.5, 5],
    [1, 120, 0.5, 120],
    [2, 1, 0, 270],
    [2, 7200, 0.5, 7200],
    [4, 60, 1, 7920],
    [6, 1, 0.5, 36_000],
    [7, 1, 0, 32_400],
    [7, 43_200, 0.5, 43_200],
    [8, 1, 0.5, undefined],
    [8, 43_200, 0.5, undefined],
  ])(
    "after attempt %i with Retry-After %j (jitter %j) waits %j s: a hint only lengthens",
    (attempt, hint, draw, delay) => {
      expect(nextDeliveryDelaySec(attempt, hint, () => draw)).toBe(delay);
    },
  );
  it("keeps at least 24 hours of retries whatever the receiver asks for", () => {
    let total = 0;
    for (let attempt = 1; attempt <= RETRY_DELAYS_SEC.length; attempt++)
      total += nextDeliveryDelaySec(attempt, 1, () => 0) ?? 0;
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
  });
  it("reads Retry-After as seconds or a date, bounded", () => {
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(retryAfterSec("120", now)).toBe(120);
    expect(retryAfterSec("Tue, 24 Nov 2026 12:01:00 GMT", now)).toBe(60);
    expect(retryAfterSec("0", now)).toBe(1);
    expect(retryAfterSec("999999", now)).toBe(43_200);
    expect(retryAfterSec("soon", now)).toBeUndefined();
    expect(retryAfterSec(null, now)).toBeUndefined();
  });
});

describe("Standard Webhooks signatures", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  it("verify with the public standardwebhooks library", async () => {
    const body = JSON.stringify({ type: "call.completed", data: { call: { id: "c1" } } });
    const ts = Math.floor(Date.now() / 1000);
    const headers = await signWebhook([secret], "evt_1", ts, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });
  it("sign with both secrets during a rotation, so either verifies", async () => {
    const next = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=";
    const body = "{}";
    const headers = await signWebhook([next, secret], "evt_2", Math.floor(Date.now() / 1000), body);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toEqual({});
    expect(new Webhook(next).verify(body, headers)).toEqual({});
  });
});
