import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "browser",
    root: import.meta.dirname,
    include: ["**/*.test.ts"],
    environment: "node",
    globalSetup: ["./global-setup.ts"],
    // One browser and one server for the flow; steps wait on conditions, not on timers.
    fileParallelism: false,
    // After the Workers project, not beside it: two cores cannot carry workerd's tests, a
    // wrangler dev and Chromium at once without the timing-sensitive tests suffering.
    sequence: { groupOrder: 1 },
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
