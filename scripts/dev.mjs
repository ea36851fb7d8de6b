#!/usr/bin/env node
/**
 * `npm start`: runs the whole service locally, offline, with the simulator providers.
 *
 * 1. Creates `.dev.vars` (a random ADMIN_TOKEN and SIMULATOR_AUTH_TOKEN, simulator providers,
 *    LOCAL_DEV=true) if it is missing, or adds LOCAL_DEV and SIMULATOR_AUTH_TOKEN to an older one.
 * 2. Applies the D1 migrations to the local database in `.wrangler/state`.
 * 3. Starts `wrangler dev` on 127.0.0.1:$PORT (default 8787) in its own process group, so that
 *    stopping this script also stops workerd and frees the port.
 * 4. Once /health answers, makes sure a "dev" account with a default caller ID and a dev API key
 *    exist (through the admin API), and prints ready-to-paste curl commands.
 * 5. Fires the cron trigger (the sweeper) once a minute, which wrangler dev does not do.
 *
 * Only Node built-ins; run through npm so that node_modules/.bin (and its Node 22) comes first.
 */
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readDevVars as readDevVarsFile } from "./lib/dev-vars.mjs";
import { runGrouped, stopGroups } from "./lib/process.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");
const WRANGLER = join(BIN, "wrangler");
const DEV_VARS = join(ROOT, ".dev.vars");
const KEY_FILE = join(ROOT, ".wrangler", "dev-api-key");
const PASSWORD_FILE = join(ROOT, ".wrangler", "dev-dashboard-password");
const DEV_EMAIL = "dev@example.com";
const HOST = "127.0.0.1";
const PORT = parsePort(process.env.PORT ?? "8787");
const BASE = `http://${HOST}:${PORT}`;
const HEALTH_TIMEOUT_MS = 60_000;
const DEV_ACCOUNT = "dev";
const DEV_NUMBER = "+12025550143";

const childEnv = {
  ...process.env,
  // wrangler's shebang is `env node`: make it find the project's Node 22 even if this script
  // was started with another node.
  PATH: `${BIN}${delimiter}${process.env.PATH ?? ""}`,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
};

/** Process groups we started and must not leave behind. */
const groups = new Set();
let stopping = false;

main().catch((e) => {
  console.error(`[dev] ${e instanceof Error ? e.message : String(e)}`);
  void shutdown(1);
});

async function main() {
  ensureDevVars();
  const vars = readDevVars();
  installSignalHandlers();

  if (!(await portIsFree(PORT))) {
    throw new Error(
      `port ${PORT} on ${HOST} is already in use (another \`npm start\`?). ` +
        "Stop it, or pick another port: PORT=8788 npm start",
    );
  }

  console.log("[dev] applying local D1 migrations…");
  const migrate = await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local"]);
  if (stopping) return;
  if (migrate.code !== 0) {
    process.stderr.write(migrate.output);
    throw new Error(`wrangler d1 migrations apply failed (exit ${migrate.code})`);
  }
  const applied = migrate.output.includes("No migrations to apply")
    ? "database is up to date"
    : "migrations applied";
  console.log(`[dev] ${applied}`);

  const args = [
    "dev",
    "--ip",
    HOST,
    "--port",
    String(PORT),
    "--show-interactive-dev-session=false",
  ];
  // The simulated carrier calls back to PUBLIC_BASE_URL: make it this server's own origin unless
  // .dev.vars chooses one (e.g. a tunnel for real Twilio callbacks).
  if (!vars.PUBLIC_BASE_URL) args.push("--var", `PUBLIC_BASE_URL:${BASE}`);
  const server = spawn(WRANGLER, args, {
    cwd: ROOT,
    env: childEnv,
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
  });
  groups.add(server.pid);
  const exited = new Promise((resolve) => {
    server.on("exit", (code, signal) => resolve({ code, signal }));
    server.on("error", (e) => {
      console.error(`[dev] could not start wrangler: ${e.message}`);
      resolve({ code: 1, signal: null });
    });
  });
  exited.then(({ code, signal }) => {
    if (!stopping) console.error(`[dev] wrangler dev exited (${signal ?? `code ${code}`})`);
    void shutdown(code ?? 1);
  });

  const healthy = await waitForHealth(exited);
  if (!healthy || stopping) return;
  runCronLocally();

  if (!vars.ADMIN_TOKEN) {
    console.error(
      "[dev] .dev.vars has no ADMIN_TOKEN: the admin API is off, so no dev account or key was " +
        "set up. Add ADMIN_TOKEN=<at least 16 characters> to .dev.vars and restart.",
    );
    return;
  }
  try {
    const key = await provision(vars.ADMIN_TOKEN);
    const user = await provisionDashboardUser(vars.ADMIN_TOKEN, key.accountId);
    printBanner(key.key, user);
  } catch (e) {
    console.error(`[dev] could not set up the dev account: ${e instanceof Error ? e.message : e}`);
    console.error("[dev] the server keeps running; use `npm run admin -- help` to set one up.");
  }
}

/**
 * wrangler dev does not fire cron triggers, but the sweeper must run locally too: a reload of the
 * Worker drops calls that were just starting and the local queue's in-memory messages, and the
 * sweeper is what starts such calls and re-sends such events. Fire it once a minute, as deployed.
 */
function runCronLocally() {
  const url = `${BASE}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("* * * * *")}`;
  console.log("[dev] the cron trigger (the sweeper) fires once a minute, as when deployed");
  let warned = false;
  const timer = setInterval(async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`answered ${res.status}`);
      warned = false;
    } catch (e) {
      if (!stopping && !warned)
        console.error(`[dev] cron trigger failed: ${e instanceof Error ? e.message : e}`);
      warned = true;
    }
  }, 60_000);
  timer.unref();
}

// ---------------------------------------------------------------------------------------------
// .dev.vars

/**
 * LOCAL_DEV=true is how the Worker knows it runs under `wrangler dev`: only .dev.vars sets it, and
 * wrangler never deploys .dev.vars, so a deployed development config refuses to serve (see
 * src/env.ts). SIMULATOR_AUTH_TOKEN signs the simulated carrier's callbacks: random per checkout.
 */
function localOnlyLines() {
  return [
    "# Only `wrangler dev` reads this file, so only a local Worker has LOCAL_DEV (see src/env.ts).",
    "LOCAL_DEV=true",
    `SIMULATOR_AUTH_TOKEN=${randomBase62(32)}`,
  ];
}

function ensureDevVars() {
  if (existsSync(DEV_VARS)) {
    // A .dev.vars from before LOCAL_DEV: add what a local Worker now needs, keep the rest.
    const vars = readDevVars();
    if (vars.LOCAL_DEV === "true" && vars.SIMULATOR_AUTH_TOKEN) return;
    const missing = localOnlyLines().filter((line) => {
      const name = /^([A-Z_]+)=/.exec(line)?.[1];
      return name === undefined ? vars.LOCAL_DEV !== "true" : vars[name] === undefined;
    });
    const text = readFileSync(DEV_VARS, "utf8");
    const sep = text === "" || text.endsWith("\n") ? "" : "\n";
    writeFileSync(DEV_VARS, `${text}${sep}${missing.join("\n")}\n`, { mode: 0o600 });
    console.log("[dev] added LOCAL_DEV and SIMULATOR_AUTH_TOKEN to .dev.vars");
    return;
  }
  const lines = [
    "# Local secrets and settings for `wrangler dev`, created by `npm start`. Not committed.",
    "# ADMIN_TOKEN guards /admin (npm run admin -- help). Delete this file to get a new one.",
    `ADMIN_TOKEN=${randomBase62(32)}`,
    "VOICE_PROVIDER=simulator",
    "TELEPHONY_PROVIDER=simulator",
    "ENVIRONMENT=development",
    "ALLOW_LOCAL_WEBHOOKS=true",
    ...localOnlyLines(),
    "",
  ];
  writeFileSync(DEV_VARS, lines.join("\n"), { mode: 0o600, flag: "wx" });
  console.log("[dev] created .dev.vars with a new ADMIN_TOKEN and SIMULATOR_AUTH_TOKEN");
}

function readDevVars() {
  return readDevVarsFile(DEV_VARS);
}

function randomBase62(n) {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Processes

function parsePort(s) {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`[dev] PORT must be a TCP port number, got ${JSON.stringify(s)}`);
    process.exit(2);
  }
  return n;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host: HOST, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function run(cmd, args) {
  return runGrouped(cmd, args, { cwd: ROOT, env: childEnv, groups });
}

function installSignalHandlers() {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => {
      if (!stopping) console.log(`\n[dev] ${sig}: stopping wrangler dev…`);
      void shutdown(0);
    });
  }
}

/**
 * Stops every process group we started (TERM, then KILL after 5 s) and exits with `code`:
 * wrangler dev's own exit code when it stopped by itself, 0 for a stop we were asked for (the
 * 143 wrangler answers our SIGTERM with is not a failure).
 */
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await stopGroups(groups);
  process.exit(code);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForHealth(exited) {
  let done = false;
  exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!done && !stopping && Date.now() < deadline) {
    try {
      const res = await fetch(`${BASE}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  if (!done && !stopping) {
    console.error(`[dev] ${BASE}/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s`);
    await shutdown(1);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Dev account, number and key

async function api(method, path, token, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function adminCall(token, method, path, body, expected) {
  const res = await api(method, path, token, body);
  if (res.status !== expected) {
    const hint =
      res.status === 401 ? " (is ADMIN_TOKEN in .dev.vars the one wrangler loaded?)" : "";
    throw new Error(`${method} ${path} answered ${res.status} ${res.text.slice(0, 200)}${hint}`);
  }
  return res.json;
}

async function provision(adminToken) {
  const found = await adminCall(
    adminToken,
    "GET",
    `/admin/accounts?name=${encodeURIComponent(DEV_ACCOUNT)}`,
    undefined,
    200,
  );
  let accountId = found?.accounts?.[0]?.id;
  if (accountId) {
    console.log(`[dev] using account ${accountId} ("${DEV_ACCOUNT}")`);
  } else {
    const created = await adminCall(
      adminToken,
      "POST",
      "/admin/accounts",
      { name: DEV_ACCOUNT },
      201,
    );
    accountId = created.id;
    console.log(`[dev] created account ${accountId} ("${DEV_ACCOUNT}")`);
  }
  const id = encodeURIComponent(accountId);
  // The simulator calls no one: the local account is not held to calling hours, so the README's
  // first call works at any hour (a real account keeps the default, standard).
  await adminCall(adminToken, "PATCH", `/admin/accounts/${id}`, { callingPolicy: "off" }, 200);
  await adminCall(
    adminToken,
    "POST",
    `/admin/accounts/${id}/numbers`,
    { number: DEV_NUMBER, default: true },
    201,
  );

  const saved = readSavedKey();
  if (saved) {
    const check = await api("GET", "/v1/agent/calls?limit=1", saved);
    if (check.status === 200) {
      console.log("[dev] reusing the dev API key in .wrangler/dev-api-key");
      return { key: saved, accountId };
    }
  }
  const minted = await adminCall(
    adminToken,
    "POST",
    `/admin/accounts/${id}/keys`,
    { name: "dev" },
    201,
  );
  mkdirSync(dirname(KEY_FILE), { recursive: true });
  writeFileSync(KEY_FILE, `${minted.key}\n`, { mode: 0o600 });
  console.log(`[dev] created API key ${minted.id}, saved to .wrangler/dev-api-key`);
  return { key: minted.key, accountId };
}

/**
 * The dev account's dashboard user, with a random password kept in .wrangler/dev-dashboard-password
 * (made once; create-user with a password sets it again on every start, so the two agree).
 */
async function provisionDashboardUser(adminToken, accountId) {
  let password;
  try {
    password = readFileSync(PASSWORD_FILE, "utf8").trim() || undefined;
  } catch {
    password = undefined;
  }
  if (!password) {
    password = randomBase62(20);
    mkdirSync(dirname(PASSWORD_FILE), { recursive: true });
    writeFileSync(PASSWORD_FILE, `${password}\n`, { mode: 0o600 });
  }
  await adminCall(
    adminToken,
    "POST",
    `/admin/accounts/${encodeURIComponent(accountId)}/users`,
    { email: DEV_EMAIL, password },
    201,
  );
  return { email: DEV_EMAIL, password };
}

function readSavedKey() {
  try {
    return readFileSync(KEY_FILE, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function printBanner(key, user) {
  const body = JSON.stringify({
    to: "+14155550123",
    objective: "Book a table for 4 at 7 PM Friday.",
  });
  const lines = [
    "",
    "  By Your Side voice API is running (simulator providers, local D1).",
    "",
    `  URL      ${BASE}`,
    `  Docs     ${BASE}/docs`,
    `  API key  ${key}`,
    `  Dashboard ${BASE}/dashboard   sign in as ${user.email} / ${user.password}`,
    "",
    "  Place a call:",
    `    curl -sS -X POST ${BASE}/v1/agent/calls \\`,
    `      -H 'authorization: Bearer ${key}' \\`,
    "      -H 'content-type: application/json' \\",
    `      -d '${body}'`,
    "",
    "  Read it back (callId from the answer above):",
    `    curl -sS ${BASE}/v1/agent/calls/<callId> -H 'authorization: Bearer ${key}'`,
    "",
    "  Admin CLI: npm run --silent admin -- help      Stop: Ctrl-C",
    "",
  ];
  console.log(lines.join("\n"));
}
