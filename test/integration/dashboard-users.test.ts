/** The operator's invite of a dashboard user (POST /admin/accounts/{id}/users). */
import { describe, expect, it } from "vitest";
import { admin, call, json } from "../helpers";

async function newAccount() {
  return String((await json(await admin("POST", "/accounts", { name: "Dash" }))).id);
}

describe("POST /admin/accounts/{id}/users", () => {
  it("answers the user and a one-time set-password link that expires in 24 hours", async () => {
    const id = await newAccount();
    const res = await admin("POST", `/accounts/${id}/users`, { email: "Ana@Acme.com" });
    expect(res.status).toBe(201);
    const user = await json(res);
    expect(user).toMatchObject({ accountId: id, email: "ana@acme.com" });
    expect(String(user.signInUrl)).toMatch(
      /^https:\/\/api\.test\/dashboard\/set-password\?token=[\w-]{43}$/,
    );
    const ttl = Date.parse(String(user.signInUrlExpiresAt)) - Date.now();
    expect(ttl).toBeGreaterThan(23.9 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000);
    const page = await call("GET", String(user.signInUrl).replace("https://api.test", ""));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("ana@acme.com");
  });

  it("issues a new link for the same email, and the old one stops working", async () => {
    const id = await newAccount();
    const first = await json(await admin("POST", `/accounts/${id}/users`, { email: "b@acme.com" }));
    const second = await json(
      await admin("POST", `/accounts/${id}/users`, { email: "b@acme.com" }),
    );
    expect(second.id).toBe(first.id);
    const path = (u: unknown) => String(u).replace("https://api.test", "");
    expect((await call("GET", path(first.signInUrl))).status).toBe(404);
    expect((await call("GET", path(second.signInUrl))).status).toBe(200);
  });

  it("refuses an email of another account, a malformed email, and an unknown account", async () => {
    const a = await newAccount();
    const b = await newAccount();
    await admin("POST", `/accounts/${a}/users`, { email: "c@acme.com" });
    const taken = await admin("POST", `/accounts/${b}/users`, { email: "c@acme.com" });
    expect([taken.status, await json(taken)]).toEqual([400, { error: "invalid_request" }]);
    const bad = await admin("POST", `/accounts/${a}/users`, { email: "not-an-email" });
    expect(bad.status).toBe(400);
    const missing = await admin("POST", "/accounts/acct_nope/users", { email: "d@acme.com" });
    expect([missing.status, await json(missing)]).toEqual([404, { error: "not_found" }]);
  });

  it("without a session, the dashboard's pages send the visitor to sign in", async () => {
    // The Worker's own fetch follows the redirect: the answer is the sign-in page.
    const res = await call("GET", "/dashboard/calls");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<form method="post" action="/dashboard/sign-in">');
  });
});
