/**
 * The webhooks queue consumers. Each message is acknowledged or retried on its own, and attempts
 * in a batch run concurrently, so one slow receiver neither blocks nor repeats the others.
 * An event whose retry schedule is exhausted is forwarded to the dead-letter queue (as is, by the
 * queue itself, a message the consumer kept erroring on), whose consumer marks the event failed.
 */
import { z } from "zod";
import { describeError, makeDb } from "../db/client";
import { setEventStatus } from "../db/webhooks.queries";
import type { DeliveryMessage } from "../domain/webhook-event";
import { readConfig } from "../env";
import { deliverEvent } from "./delivery";

const DEAD_LETTER_QUEUE = "byourside-webhooks-dlq";

const MessageSchema = z.object({ eventId: z.string().min(1) });

export async function consumeWebhooks(
  batch: MessageBatch<DeliveryMessage>,
  env: Env,
): Promise<void> {
  const db = makeDb(env.DB);
  const deadLetters = batch.queue === DEAD_LETTER_QUEUE;
  const config = readConfig(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = MessageSchema.safeParse(message.body);
      if (!parsed.success) {
        console.error("malformed webhook message dropped", { id: message.id });
        message.ack();
        return;
      }
      try {
        if (deadLetters) {
          await setEventStatus(db, parsed.data.eventId, "failed");
          console.warn("webhook event failed after every retry", { eventId: parsed.data.eventId });
          message.ack();
          return;
        }
        const next = await deliverEvent(db, parsed.data.eventId, {
          timeoutMs: config.webhookTimeoutMs,
          allowLocal: config.allowLocalWebhooks,
        });
        if (next.action === "retry") {
          message.retry({ delaySeconds: next.delaySec });
          return;
        }
        if (next.action === "dead_letter") {
          await env.WEBHOOK_DEAD_LETTERS.send({ eventId: parsed.data.eventId });
        }
        message.ack();
      } catch (e) {
        // Storage trouble or a bug: try this message again later; the others are unaffected.
        console.error("webhook delivery errored; will retry", {
          eventId: parsed.data.eventId,
          error: describeError(e),
        });
        message.retry({ delaySeconds: 5 });
      }
    }),
  );
}
