/**
 * Global setup of the browser tests: unless Chromium is missing (then one line says so and the
 * tests skip, or with CI set the run fails), starts the Worker under `wrangler dev` and sets up
 * two accounts through the admin API — "a" with a number and a dashboard user, "b" with a call of
 * its own — and hands their details to the tests. Stops the server when the run ends.
 */
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { type Server, startServer } from "./server";

export const CHROMIUM = "/usr/bin/chromium";
export const USER = { email: "dev@example.com", password: "correct horse battery staple" };

declare module "vitest" {
  export interface ProvidedContext {
    browser: boolean;
    base: string;
    adminToken: string;
    accountA: string;
    accountB: string;
    callOfB: string;
  }
}

async function admin(server: Server, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let server: Server | undefined;

export async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    console.log(`browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
    project.provide("browser", false);
    return;
  }
  server = await startServer();
  const a = await admin(server, "POST", "/admin/accounts", { name: "e2e-a", callingPolicy: "off" });
  const accountA = String(a.id);
  await admin(server, "POST", `/admin/accounts/${accountA}/numbers`, {
    number: "+12025550143",
    default: true,
  });
  await admin(server, "POST", `/admin/accounts/${accountA}/users`, { ...USER });

  const b = await admin(server, "POST", "/admin/accounts", { name: "e2e-b", callingPolicy: "off" });
  const accountB = String(b.id);
  await admin(server, "POST", `/admin/accounts/${accountB}/numbers`, {
    number: "+12025550144",
    default: true,
  });
  const keyB = await admin(server, "POST", `/admin/accounts/${accountB}/keys`, {});
  const placed = await fetch(`${server.base}/v1/agent/calls`, {
    method: "POST",
    headers: { authorization: `Bearer ${keyB.key}`, "content-type": "application/json" },
    body: JSON.stringify({ to: "+14155550100", objective: "Account B's own call." }),
  });
  const callOfB = ((await placed.json()) as { callId: string }).callId;

  project.provide("browser", true);
  project.provide("base", server.base);
  project.provide("adminToken", server.adminToken);
  project.provide("accountA", accountA);
  project.provide("accountB", accountB);
  project.provide("callOfB", callOfB);
}

export async function teardown() {
  await server?.stop();
}
