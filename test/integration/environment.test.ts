/**
 * What a request sees of the deployment's configuration: a configuration that must not serve
 * (development or test outside local development) fails closed with 500 bad_environment; the
 * request's Host and cf-ray headers never become our origin or our request id.
 */
import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import worker from "../../src/index";
import { BASE, json, setupAccount } from "../helpers";

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

describe("our public origin is PUBLIC_BASE_URL, never the request's Host", () => {
  const FORGED = "https://attacker.example";

  it("recordingUrl points at PUBLIC_BASE_URL whatever Host the request names", async () => {
    const { accountId, keyId, key } = await setupAccount();
    const callId = crypto.randomUUID();
    const now = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO calls (id, account_id, api_key_id, "to", caller_id, objective, voice, language, language_source, status, created_at, recording_key)
       VALUES (?, ?, ?, '+14155550123', '+12025550143', 'seed', 'Aoede', 'en-US', 'explicit', 'completed', ?, ?)`,
    )
      .bind(callId, accountId, keyId, now, `recordings/${accountId}/${callId}.wav`)
      .run();
    const res = await exports.default.fetch(
      new Request(`${FORGED}/v1/agent/calls/${callId}`, {
        headers: { authorization: `Bearer ${key}` },
      }),
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      recordingUrl: `${BASE}/v1/agent/calls/${callId}/recording`,
    });
  });

  it("the OpenAPI document's server is PUBLIC_BASE_URL", async () => {
    const res = await exports.default.fetch(new Request(`${FORGED}/openapi.json`));
    expect(await json(res)).toMatchObject({ servers: [{ url: BASE }] });
  });
});

describe("x-request-id", () => {
  it("is our own random id, never a client's cf-ray", async () => {
    const res = await exports.default.fetch(
      new Request(`${BASE}/health`, { headers: { "cf-ray": "8f0c0ffee0000000-SJC" } }),
    );
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).not.toContain("8f0c0ffee");
  });
});
