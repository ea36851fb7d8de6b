declare namespace Cloudflare {
  interface Env {
    ADMIN_TOKEN: string;
    /** Set only by .dev.vars (npm start) and vitest.config.ts: see src/env.ts. */
    LOCAL_DEV: "true";
    /** Random per test run (vitest.config.ts), as `npm start` makes one per checkout. */
    SIMULATOR_AUTH_TOKEN: string;
    /** Random per test run (vitest.config.ts): the Webhooks SharedKey secret. */
    TWILIO_SHARED_KEY_SECRET: string;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
