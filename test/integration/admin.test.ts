/** /admin: accounts, numbers and keys, and the keys' effect on the public API. */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import worker from "../../src/index";
import { admin, call, json, setupAccount, VALID_CALL } from "../helpers";

type KeyOut = { id: string; key: string; prefix: string };

describe("admin auth", () => {
  it("401 without the admin token, 401 with an API key", async () => {
    const res = await call("GET", "/admin/accounts/x");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized" });
    const { key } = await setupAccount();
    expect((await call("GET", "/admin/accounts/x", { token: key })).status).toBe(401);
  });
});

describe("admin without ADMIN_TOKEN", () => {
  it("does not exist: 404 not_found", async () => {
    const { ADMIN_TOKEN: _omitted, ...withoutToken } = env;
    const res = await worker.fetch(
      new Request("https://api.test/admin/accounts?name=x", {
        headers: { authorization: "Bearer x" },
      }),
      withoutToken as unknown as Env,
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found" });
  });

  it.each([
    ["", "empty"],
    ["too-short", "shorter than 16 characters"],
  ])("an ADMIN_TOKEN %j (%s) turns only /admin off, with a warning", async (token) => {
    const warned = vi.spyOn(console, "warn");
    onTestFinished(() => warned.mockRestore());
    const { key } = await setupAccount();
    const weak = { ...env, ADMIN_TOKEN: token };
    const get = (path: string, bearer: string) =>
      worker.fetch(
        new Request(`https://api.test${path}`, { headers: { authorization: `Bearer ${bearer}` } }),
        weak,
        createExecutionContext(),
      );
    const adminRes = await get("/admin/accounts?name=x", token);
    expect(adminRes.status).toBe(404);
    expect(await adminRes.json()).toEqual({ error: "not_found" });
    expect(warned).toHaveBeenCalledWith(expect.stringContaining("/admin is disabled"));
    // The rest of the API works.
    expect((await get("/health", "")).status).toBe(200);
    const list = await get("/v1/agent/calls", key);
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ calls: [] });
  });
});

describe("accounts", () => {
  it("creates an account with a webhook secret and shows it with numbers, keys and usage", async () => {
    const created = await json<{ id: string; webhookSecret: string }>(
      await admin("POST", "/accounts", { name: "Acme", minuteCap: 100 }),
    );
    expect(created.id).toMatch(/^acct_/);
    expect(created.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(
      (await admin("POST", `/accounts/${created.id}/numbers`, { number: "+12025550143" })).status,
    ).toBe(201);
    await admin("POST", `/accounts/${created.id}/numbers`, {
      number: "+12134932550",
      default: true,
    });
    const key = await json<KeyOut>(
      await admin("POST", `/accounts/${created.id}/keys`, {
        name: "prod",
        voice: "kore",
        callerId: "+12025550143",
        rateLimit: 5,
      }),
    );
    expect(key.key).toMatch(/^bys_ak_[0-9A-Za-z]{40}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);

    const detail = await json<Record<string, unknown>>(
      await admin("GET", `/accounts/${created.id}`),
    );
    expect(detail).toMatchObject({
      id: created.id,
      name: "Acme",
      minuteCap: 100,
      minutesUsedThisPeriod: 0,
      webhookSecret: created.webhookSecret,
      numbers: [
        { number: "+12025550143", default: false },
        { number: "+12134932550", default: true },
      ],
      keys: [
        {
          id: key.id,
          prefix: key.prefix,
          name: "prod",
          voice: "Kore",
          callerId: "+12025550143",
          rateLimit: 5,
          revokedAt: null,
        },
      ],
    });
    expect(JSON.stringify(detail)).not.toContain(key.key);

    const updated = await json(
      await admin("PATCH", `/accounts/${created.id}`, { minuteCap: null }),
    );
    expect(updated).toMatchObject({ minuteCap: null });
    expect(await json(await admin("GET", "/accounts?name=Acme"))).toMatchObject({
      accounts: [{ id: created.id }],
    });
  });

  it("stores only the key's hash", async () => {
    const { key, keyId } = await setupAccount();
    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?")
      .bind(keyId)
      .first<Record<string, unknown>>();
    expect(Object.values(row ?? {})).not.toContain(key);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(row?.hash).toBe(hex);
  });

  it.each([
    ["POST", "/accounts", { name: "" }, 400, "invalid_request"],
    ["POST", "/accounts", { name: "x", minuteCap: -1 }, 400, "invalid_request"],
    ["GET", "/accounts/acct_missing", undefined, 404, "not_found"],
    ["PATCH", "/accounts/acct_missing", { minuteCap: 3 }, 404, "not_found"],
    ["POST", "/accounts/acct_missing/numbers", { number: "+12025550143" }, 404, "not_found"],
    ["POST", "/accounts/acct_missing/keys", {}, 404, "not_found"],
    ["PATCH", "/keys/key_missing", { rateLimit: 3 }, 404, "not_found"],
    ["POST", "/keys/key_missing/revoke", undefined, 404, "not_found"],
  ] as const)("%s %s → %i %s", async (method, path, body, status, token) => {
    const res = await admin(method, path, body);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: token });
  });

  it("validates numbers, voices and caller IDs on keys", async () => {
    const { accountId, keyId } = await setupAccount();
    const bad = async (res: Response, token: string) => {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: token });
    };
    await bad(
      await admin("POST", `/accounts/${accountId}/numbers`, { number: "555-0143" }),
      "invalid_number",
    );
    await bad(
      await admin("POST", `/accounts/${accountId}/keys`, { voice: "Nobody" }),
      "invalid_voice",
    );
    await bad(
      await admin("POST", `/accounts/${accountId}/keys`, { callerId: "+13105550123" }),
      "caller_id_not_owned",
    );
    await bad(await admin("PATCH", `/keys/${keyId}`, { callerId: "12" }), "invalid_caller_id");
  });
});

describe("keys", () => {
  it("key defaults and rate limits apply to placements; revocation is immediate", async () => {
    const { accountId, key, keyId } = await setupAccount({
      numbers: ["+12025550143", "+12134932550"],
    });
    const updated = await json(
      await admin("PATCH", `/keys/${keyId}`, { voice: "Puck", callerId: "+12134932550" }),
    );
    expect(updated).toMatchObject({ voice: "Puck", callerId: "+12134932550" });
    const placed = await json<{ callId: string; voice: string }>(
      await call("POST", "/v1/agent/calls", { token: key, body: VALID_CALL }),
    );
    expect(placed.voice).toBe("Puck");
    const row = await env.DB.prepare("SELECT caller_id FROM calls WHERE id = ?")
      .bind(placed.callId)
      .first();
    expect(row).toEqual({ caller_id: "+12134932550" });

    const revoked = await json(await admin("POST", `/keys/${keyId}/revoke`));
    expect(revoked).toMatchObject({ id: keyId, revokedAt: expect.any(String) });
    const after = await call("GET", "/v1/agent/calls", { token: key });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: "unauthorized" });
    // Revoking again is harmless and keeps the first revocation time.
    expect(await json(await admin("POST", `/keys/${keyId}/revoke`))).toMatchObject({
      revokedAt: (revoked as { revokedAt: string }).revokedAt,
    });
    // Other keys of the account keep working.
    const second = await json<KeyOut>(await admin("POST", `/accounts/${accountId}/keys`, {}));
    expect((await call("GET", "/v1/agent/calls", { token: second.key })).status).toBe(200);
  });
});
