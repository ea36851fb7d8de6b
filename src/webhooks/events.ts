/**
 * Webhook events: one per status transition (`call.dialing`, `call.in_progress`, then one per
 * terminal status), each with a stable id that is the `webhook-id` of every delivery attempt.
 * The body is fixed when the event is created and sent byte-for-byte on every attempt.
 */
import type { CallView } from "../calls/schemas";
import type { CallStatus } from "../calls/status";

export type WebhookEventType = `call.${Exclude<CallStatus, "queued">}`;

export type WebhookEvent = {
  id: string;
  type: WebhookEventType;
  /** ISO 8601 UTC: when the transition happened. */
  timestamp: string;
  callId: string;
  data: { call: CallView };
};

export function eventType(status: Exclude<CallStatus, "queued">): WebhookEventType {
  return `call.${status}`;
}

export function buildEvent(
  id: string,
  status: Exclude<CallStatus, "queued">,
  at: number,
  call: CallView,
): WebhookEvent {
  return {
    id,
    type: eventType(status),
    timestamp: new Date(at).toISOString(),
    callId: call.id,
    data: { call },
  };
}

/** What the webhooks queue carries: a pointer to the stored event. */
export type DeliveryMessage = { eventId: string };
