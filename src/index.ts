/** Worker entry: the HTTP app, and the Durable Object classes wrangler binds by name. */
import { createApp } from "./app";

export { RateLimiter } from "./limits/rate-limiter.do";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
