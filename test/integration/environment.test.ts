/**
 * What a request sees of the deployment's configuration: a configuration that must not serve
 * (development or test outside local development) fails closed with 500 bad_environment.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import worker from "../../src/index";

describe("a development or test configuration outside local development", () => {
  it("answers 500 bad_environment to every request and logs why", async () => {
    const logged = vi.spyOn(console, "error");
    onTestFinished(() => logged.mockRestore());
    // What a `wrangler deploy` of the development vars looks like: no .dev.vars, so no LOCAL_DEV.
    const { LOCAL_DEV: _local, ...deployed } = env;
    for (const path of ["/health", "/v1/agent/calls", "/openapi.json"]) {
      const res = await worker.fetch(
        new Request(`https://api.test${path}`),
        deployed as unknown as Env,
        createExecutionContext(),
      );
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: "bad_environment" });
    }
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining("bad environment: ENVIRONMENT=test outside local development"),
    );
  });
});
