/**
 * One delivery attempt of one event: check the URL again, sign, POST with a timeout, never follow
 * redirects, record the attempt, and say what the queue should do next.
 */
import type { Db } from "../db/client";
import { findEventForDelivery, recordAttempt } from "../db/webhooks.queries";
import { nextDeliveryDelaySec, retryAfterSec } from "../domain/retry-schedule";
import { checkWebhookUrl } from "../domain/ssrf-guard";
import type { WebhookEventStatus } from "../domain/webhook-event";
import { isoNow } from "../lib/time";
import { signWebhook } from "./signing";

export type Next =
  | { action: "ack" }
  | { action: "retry"; delaySec: number }
  | { action: "dead_letter" };

export type DeliveryOptions = { timeoutMs: number; allowLocal: boolean; now?: () => number };

const USER_AGENT = "ByYourSide-Webhooks/1.0";

export async function deliverEvent(db: Db, eventId: string, opts: DeliveryOptions): Promise<Next> {
  const now = opts.now ?? Date.now;
  const found = await findEventForDelivery(db, eventId);
  // Unknown, finished or endpoint-less events have nothing left to deliver.
  if (found?.event.status !== "pending" || !found.webhookUrl) return { action: "ack" };
  // Numbered from the event's own log, so whatever message carries it (a retry, a redelivery, a
  // re-send by the sweeper) it takes its place in the event's retry schedule.
  const attempt = found.event.attempts + 1;

  const started = now();
  const record = (
    statusCode: number | null,
    error: string | null,
    outcome: { status: WebhookEventStatus; deliveredAt?: string; nextAttemptAt?: string | null },
  ) =>
    recordAttempt(db, {
      eventId,
      attempt,
      at: isoNow(started),
      statusCode,
      latencyMs: Math.max(0, now() - started),
      error,
      outcome,
    });

  const url = checkWebhookUrl(found.webhookUrl, { allowLocal: opts.allowLocal });
  if (!url.ok) {
    await record(null, "blocked_url", { status: "failed" });
    return { action: "ack" };
  }

  const secrets = [found.account.webhookSecret];
  const prev = found.account.previousWebhookSecret;
  const prevUntil = found.account.previousSecretExpiresAt;
  if (prev && prevUntil && Date.parse(prevUntil) > started) secrets.push(prev);
  const body = found.event.payload;
  const headers = await signWebhook(secrets, eventId, Math.floor(started / 1000), body);

  let res: Response | undefined;
  let error: string | null = null;
  try {
    res = await fetch(url.value, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": USER_AGENT },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    // Only the status matters; release the body without waiting for a slow stream.
    res.body?.cancel().catch(() => undefined);
  } catch (e) {
    error =
      e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")
        ? "timeout"
        : "network_error";
  }

  const status = res?.status ?? null;
  if (status !== null && status >= 200 && status < 300) {
    await record(status, null, { status: "delivered", deliveredAt: isoNow(now()) });
    return { action: "ack" };
  }
  if (status === 410) {
    await record(status, "gone", { status: "failed" });
    return { action: "ack" };
  }
  if (status !== null && status >= 300 && status < 400) error = "redirect_not_followed";
  const hint =
    status === 429 || status === 503
      ? retryAfterSec(res?.headers.get("retry-after") ?? null, now())
      : undefined;
  const delaySec = nextDeliveryDelaySec(attempt, hint);
  if (delaySec === undefined) {
    // The schedule is exhausted: the dead-letter queue's consumer marks the event failed.
    await record(status, error ?? `http_${status}`, { status: "pending", nextAttemptAt: null });
    return { action: "dead_letter" };
  }
  await record(status, error ?? `http_${status}`, {
    status: "pending",
    nextAttemptAt: isoNow(now() + delaySec * 1000),
  });
  return { action: "retry", delaySec };
}
