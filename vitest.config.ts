import { randomBytes } from "node:crypto";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";

/** `DEBUG=1 npm test` prints every log, of passing tests too; see README.md. */
const DEBUG = Boolean(process.env.DEBUG) && process.env.DEBUG !== "0";

export default defineConfig({
  // Vite's only warnings here are about third-party source maps (the MCP SDK, standardwebhooks)
  // that name files their packages do not ship; they are shown with DEBUG=1.
  logLevel: DEBUG ? "info" : "error",
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Tests never reach the network: a request no test faked (a webhook to a placeholder URL
        // such as your-server.example.com) gets a 502 here instead of a DNS lookup, whose failure
        // workerd would print outside any test.
        outboundService: (request: Request) => {
          if (DEBUG)
            console.warn(`outbound request refused in tests: ${request.method} ${request.url}`);
          return new Response("tests do not reach the network", { status: 502 });
        },
        bindings: {
          ENVIRONMENT: "test",
          // Tests run locally, as `wrangler dev` does with .dev.vars: see src/env.ts.
          LOCAL_DEV: "true",
          // Random per run, as `npm start` writes one per checkout: no public constant.
          SIMULATOR_AUTH_TOKEN: randomBytes(24).toString("base64url"),
          // Verifies callbacks signed by a Twilio Webhooks SharedKey (the simulator signs with the
          // auth token; the SharedKey tests sign by hand).
          TWILIO_SHARED_KEY_SECRET: randomBytes(24).toString("base64url"),
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          PUBLIC_BASE_URL: "https://api.test",
          TELEPHONY_PROVIDER: "simulator",
          SIMULATOR_PACE_MS: "25",
          DIAL_RETRY_BASE_MS: "20",
          WEBHOOK_TIMEOUT_MS: "300",
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
        },
      },
    })),
  ],
  test: {
    // One worker for all files (about 40 s instead of 100 s here): every test sets up its own
    // account and data, and a test that breaks storage restores it when it finishes.
    isolate: false,
    // The tests wait on conditions (waitFor, expect.poll with up to 15 s) rather than sleeping; on
    // two cores shared with other work, a call or a queue batch can take longer than vitest's
    // default 5 s per test, which cut those waits short ("filters by status" flaked at 6 s).
    testTimeout: 15_000,
    // The Worker's and its Durable Objects' console output is captured per test (they run in the
    // test's isolate) and printed only for a test that fails.
    silent: DEBUG ? false : "passed-only",
    setupFiles: ["./test/apply-migrations.ts"],
    include: ["test/**/*.test.ts"],
    projects: [
      // The Workers project: everything above (plugin, bindings, options), in workerd.
      {
        extends: true,
        test: {
          name: "workers",
          exclude: ["test/e2e/**", "**/node_modules/**"],
          sequence: { groupOrder: 0 },
        },
      },
      // The dashboard in headless Chromium against its own `wrangler dev`, in Node.
      "./test/e2e/vitest.config.ts",
    ],
  },
});
