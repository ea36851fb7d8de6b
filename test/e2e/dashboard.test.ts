/**
 * The dashboard in headless Chromium (Debian's, through playwright-core) against a real
 * `wrangler dev` with the simulated carrier and voice model: the whole journey of a new user,
 * the security cases, an accessibility check (axe-core) on every page, and screenshots of every
 * page at laptop and phone widths into docs/screenshots/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type Response,
} from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CHROMIUM, USER } from "./global-setup";
import { freePort, ROOT } from "./server";

const SHOTS = join(ROOT, "docs", "screenshots");
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const available = inject("browser");

/** A local webhook receiver: counts the deliveries of each event id. */
function webhookReceiver() {
  const deliveries: { id: string; type: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const event = JSON.parse(body) as { type: string };
      deliveries.push({ id: String(req.headers["webhook-id"]), type: event.type });
      res.writeHead(204).end();
    });
  });
  return { server, deliveries };
}

describe.skipIf(!available)("the dashboard in a browser", () => {
  const base = available ? inject("base") : "";
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const receiver = webhookReceiver();
  let hookUrl = "";
  let apiKey = "";
  let callId = "";

  const url = (path: string) => `${base}${path}`;

  async function checkPage(name: string) {
    for (const [width, viewport] of [
      ["laptop", LAPTOP],
      ["phone", PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.addScriptTag({ content: AXE });
      const result = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: () => Promise<AxeResult> } }).axe;
        return axe.run();
      });
      const serious = result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      expect(serious, `${name} at ${width}`).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize(LAPTOP);
  }

  async function signIn(p: Page, email = USER.email, password = USER.password) {
    await p.goto(url("/dashboard/sign-in"));
    await p.getByLabel("Email").fill(email);
    await p.getByLabel("Password").fill(password);
    return Promise.all([p.waitForNavigation(), p.getByRole("button", { name: "Sign in" }).click()]);
  }

  async function sessionCookie(ctx: BrowserContext) {
    return (await ctx.cookies(url("/dashboard/"))).find((c) => c.name === "bys_session");
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    await new Promise<void>((r) => receiver.server.listen(port, "127.0.0.1", r));
    hookUrl = `http://127.0.0.1:${port}/hook`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    // The page's CSP allows only our own scripts; axe-core is injected by the test.
    context = await browser.newContext({ viewport: LAPTOP, bypassCSP: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => receiver.server.close(r));
  });

  it("sends a visitor without a session to the sign-in page", async () => {
    for (const path of ["/dashboard", "/dashboard/calls", "/dashboard/developers"]) {
      await page.goto(url(path));
      expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
    }
    await checkPage("sign-in");
  });

  it("never says whether an email exists, and rate-limits failed sign-ins per email", async () => {
    await signIn(page, USER.email, "a wrong password!");
    const wrong = await page.getByRole("alert").textContent();
    await signIn(page, "nobody@example.com", "a wrong password!");
    expect(await page.getByRole("alert").textContent()).toBe(wrong);
    for (let i = 0; i < 4; i++) await signIn(page, "nobody@example.com", "still wrong!!");
    const [response] = await signIn(page, "nobody@example.com", "still wrong!!");
    expect(response?.status()).toBe(429);
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/Too many/);
  });

  it("signs in with a new session cookie, not one planted before (no fixation)", async () => {
    await context.addCookies([
      {
        name: "bys_session",
        value: "planted-by-an-attacker",
        domain: "127.0.0.1",
        path: "/dashboard",
      },
    ]);
    await signIn(page);
    expect(new URL(page.url()).pathname).toBe("/dashboard/calls");
    const cookie = await sessionCookie(context);
    expect(cookie?.value).toBeTruthy();
    expect(cookie?.value).not.toBe("planted-by-an-attacker");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/dashboard" });
  });

  it("creates an API key that works against the API", async () => {
    await page.goto(url("/dashboard/developers"));
    await page.getByLabel("Name", { exact: true }).fill("e2e");
    await page.getByLabel("Default voice").selectOption({ index: 1 });
    await page.getByLabel("Default caller ID").selectOption("+12025550143");
    await page.getByRole("button", { name: "Create key" }).click();
    apiKey = (await page.locator("#new-key").textContent()) ?? "";
    expect(apiKey).toMatch(/^bys_ak_/);
    const res = await fetch(url("/v1/agent/calls"), {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(res.status).toBe(200);
    // Shown once: the page loaded again has only its prefix.
    await page.goto(url("/dashboard/developers"));
    expect(await page.locator("#new-key").count()).toBe(0);
    await checkPage("developers");
  });

  it("places a test call in the simulator and watches it reach completed", async () => {
    await page.goto(url("/dashboard/calls/new"));
    await checkPage("new-call");
    await page.getByLabel("To", { exact: true }).fill("+14155550123");
    await page.getByLabel("Objective", { exact: true }).fill("Book a table for 4 at 7 PM Friday.");
    await page.getByLabel("Fields to extract").fill("booked:boolean\ndeposit:number");
    await page.getByLabel("Webhook URL").fill(hookUrl);
    await page.getByRole("button", { name: "Place call" }).click();
    await page.waitForURL(/\/dashboard\/calls\/[^/]+$/);
    callId = new URL(page.url()).pathname.split("/").pop() ?? "";
    // The page refreshes itself while the call is live.
    await page.locator(".status.completed").first().waitFor({ timeout: 45_000 });
    await page.goto(url("/dashboard/calls"));
    await expect(page.locator(`a[href="/dashboard/calls/${callId}"]`).count()).resolves.toBe(1);
    await checkPage("calls");
  });

  it("shows the call: recording, transcript, fields with their evidence", async () => {
    await page.goto(url(`/dashboard/calls/${callId}`));
    const duration = await page.waitForFunction(() => {
      const audio = document.querySelector("audio");
      return audio && audio.duration > 0 ? audio.duration : false;
    });
    expect(await duration.jsonValue()).toBeGreaterThan(1);
    const evidence = page.locator("[data-evidence]").first();
    const line = await evidence.getAttribute("data-evidence");
    await evidence.click();
    await expect(page.locator(`#line-${line}`).getAttribute("class")).resolves.toContain(
      "highlight",
    );
    // A transcript line seeks the recording to its offset.
    const button = page.locator(`#line-${line} button`);
    const offset = Number(await button.getAttribute("data-offset"));
    await button.click();
    const at = await page.evaluate(() => document.querySelector("audio")?.currentTime ?? -1);
    expect(at).toBeGreaterThanOrEqual(offset / 1000 - 0.05);
    expect(await page.getByText("Response latency").count()).toBe(1);
    await checkPage("call");
  });

  it("redelivers a webhook event and shows the new attempt", async () => {
    await expect
      .poll(() => receiver.deliveries.filter((d) => d.type === "call.completed").length, {
        timeout: 20_000,
      })
      .toBe(1);
    await page.goto(url(`/dashboard/calls/${callId}`));
    const row = page.locator("tr", { has: page.locator("code", { hasText: "call.completed" }) });
    await expect(row.locator(".attempts li").count()).resolves.toBe(1);
    await row.getByRole("button", { name: "Redeliver call.completed" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/queued/);
    await expect
      .poll(() => receiver.deliveries.filter((d) => d.type === "call.completed").length, {
        timeout: 20_000,
      })
      .toBe(2);
    await expect
      .poll(
        async () => {
          await page.reload();
          return row.locator(".attempts li").count();
        },
        { timeout: 20_000 },
      )
      .toBe(2);
  });

  it("answers 404 for another account's call and its recording", async () => {
    const other = inject("callOfB");
    const response = (await page.goto(url(`/dashboard/calls/${other}`))) as Response;
    expect(response.status()).toBe(404);
    const recording = await context.request.get(url(`/dashboard/calls/${other}/recording`));
    expect(recording.status()).toBe(404);
  });

  it("refuses a form with a forged or missing CSRF token (403)", async () => {
    const post = (form: Record<string, string>) =>
      context.request.post(url("/dashboard/developers/dnc"), { form, maxRedirects: 0 });
    expect((await post({ _csrf: "forged", number: "+14155550199" })).status()).toBe(403);
    expect((await post({ number: "+14155550199" })).status()).toBe(403);
    await page.goto(url("/dashboard/developers"));
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    expect((await post({ _csrf: token, number: "+14155550199" })).status()).toBe(303);
  });

  it("revokes a key after confirmation, and the API refuses it", async () => {
    await page.goto(url("/dashboard/developers"));
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Revoke key e2e" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/revoked/);
    const res = await fetch(url("/v1/agent/calls"), {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(res.status).toBe(401);
  });

  it("signs out, and the old session no longer opens a page", async () => {
    const before = await sessionCookie(context);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/dashboard\/sign-in$/);
    // Even with the old cookie put back, the session is gone on the server.
    await context.addCookies([
      { name: "bys_session", value: before?.value ?? "", domain: "127.0.0.1", path: "/dashboard" },
    ]);
    await page.goto(url("/dashboard/calls"));
    expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
  });

  it("lets an invited user set a password through the one-time link", async () => {
    const res = await fetch(url(`/admin/accounts/${inject("accountA")}/users`), {
      method: "POST",
      headers: {
        authorization: `Bearer ${inject("adminToken")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ email: "invited@example.com" }),
    });
    expect(res.status).toBe(201);
    const { signInUrl } = (await res.json()) as { signInUrl: string };
    await page.goto(signInUrl);
    await checkPage("set-password");
    await page.getByLabel("New password").fill("a long enough password");
    await page.getByLabel("Repeat the password").fill("a long enough password");
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.waitForURL(/\/dashboard\/calls$/);
    // The link works once.
    const again = (await page.goto(signInUrl)) as Response;
    expect(again.status()).toBe(404);
  });
});

type AxeResult = {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
};
