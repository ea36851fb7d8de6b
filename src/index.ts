/** Worker entry: the HTTP app, and the Durable Object classes wrangler binds by name. */

import { sweepStrandedCalls } from "./call-session/sweeper";
import type { DeliveryMessage } from "./domain/webhook-event";
import { createApp } from "./http/app";
import { consumeWebhooks } from "./webhooks/consumer";
import { requeueStalledEvents } from "./webhooks/stalled-events";

export { CallSession } from "./call-session/call-session.do";
export { RateLimiter } from "./limits/rate-limiter.do";
export { SimulatedCarrier } from "./telephony/simulator/simulated-carrier.do";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: consumeWebhooks,
  scheduled: async (_controller, env, ctx) => {
    ctx.waitUntil(sweepStrandedCalls(env));
    ctx.waitUntil(requeueStalledEvents(env));
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
