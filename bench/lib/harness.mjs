// Shared by the benches that run their own `wrangler dev` (placement.mjs, webhooks.bench.mjs): the
// run's lifecycle (hard deadline, signals, teardown of every process group started), migrations
// and server start-up on a loopback port, a keep-alive HTTP client and the account set-up, and
// the report's helpers (machine, code version, quantiles, Markdown tables). One bench a process.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { availableParallelism, cpus, totalmem } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { runGrouped, stopGroups } from "../../scripts/lib/process.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");
const WRANGLER = join(BIN, "wrangler");
export const HOST = "127.0.0.1";
export const STARTUP_TIMEOUT_MS = 60_000;

const childEnv = {
  ...process.env,
  PATH: `${BIN}${delimiter}${process.env.PATH ?? ""}`,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // wrangler dev records a trace of every invocation into a local SQLite store for its Local
  // Explorer (on by default since 4.1xx). A deployment does not pay for that on its own CPU.
  X_LOCAL_OBSERVABILITY: "false",
  WRANGLER_SEND_METRICS: "false",
};

// ---------------------------------------------------------------------------------------------
// Lifecycle

/** Process groups started by the bench, stopped (TERM, then KILL) when it finishes. */
const groups = new Set();
let finishing = false;

/** True once the bench is stopping (done, a signal, or the hard deadline): stop issuing work. */
export function isFinishing() {
  return finishing;
}

/**
 * Runs `main` (resolving with the exit code) under a hard deadline and SIGINT/SIGTERM/SIGHUP
 * handlers; whichever comes first stops every process group started and exits.
 */
export function runBench(main, hardDeadlineMs) {
  const deadline = setTimeout(() => {
    console.error(`[bench] hard deadline (${hardDeadlineMs / 1000} s) reached: aborting`);
    void finish(1);
  }, hardDeadlineMs);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => {
      console.error(`[bench] ${sig}: stopping`);
      void finish(130);
    });
  }

  main().then(
    (code) => finish(code),
    (e) => {
      console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
      return finish(1);
    },
  );

  async function finish(code) {
    if (finishing) return;
    finishing = true;
    clearTimeout(deadline);
    await stopGroups(groups);
    process.exit(code);
  }
}

// ---------------------------------------------------------------------------------------------
// Server

/**
 * A bench's directories: `dir` under the repository (the server's log `serverLog`) and `state`,
 * the server's local D1, Durable Object and queue files, on tmpfs where there is one (the bench
 * measures the service, not the disk); `process.env[stateEnv]` overrides `state`.
 */
export function benchDirs(dirName, stateEnv, tmpfsName) {
  const dir = join(ROOT, dirName);
  const state =
    process.env[stateEnv] ??
    (existsSync("/dev/shm") ? join("/dev/shm", tmpfsName) : join(dir, "state"));
  return { dir, state, serverLog: join(dir, "wrangler.log") };
}

/** Removes what an earlier run left in the bench's directories. */
export function resetDirs({ dir, state }) {
  rmSync(dir, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Applies the D1 migrations to the local database in `stateDir`. */
export async function applyMigrations(stateDir) {
  log(`applying migrations to a fresh ${stateDir}`);
  const migrate = await runGrouped(
    WRANGLER,
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir],
    { cwd: ROOT, env: childEnv, groups },
  );
  if (migrate.code !== 0) {
    process.stderr.write(migrate.output);
    throw new Error(`migrations failed (exit ${migrate.code})`);
  }
}

/**
 * Starts `wrangler dev` on HOST:`port` in its own process group, with its state in `dirs.state`,
 * `vars` ("NAME:value") and its output in `dirs.serverLog`, and waits until /health answers 200.
 * Resolves with the process group's id (for `killGroup`).
 */
export async function startWrangler({ port, dirs, logLevel, vars, inspectorPort }) {
  const base = `http://${HOST}:${port}`;
  const logName = relative(ROOT, dirs.serverLog);
  log(`starting wrangler dev on ${base} (log: ${logName})`);
  const out = createWriteStream(dirs.serverLog);
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "--ip",
      HOST,
      "--port",
      String(port),
      "--persist-to",
      dirs.state,
      "--show-interactive-dev-session=false",
      "--log-level",
      logLevel,
      // A local Worker, as .dev.vars marks one for `npm start` (src/env.ts refuses a development
      // config without LOCAL_DEV), with its own random simulator token.
      ...[
        "LOCAL_DEV:true",
        `SIMULATOR_AUTH_TOKEN:${randomBytes(24).toString("hex")}`,
        ...vars,
      ].flatMap((v) => ["--var", v]),
      ...(inspectorPort ? ["--inspector-port", String(inspectorPort)] : []),
    ],
    { cwd: ROOT, env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  groups.add(child.pid);
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });

  const until = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < until) {
    if (exited) throw new Error(`wrangler dev exited during start-up (see ${logName})`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return { pgid: child.pid };
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${base}/health did not answer 200 within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

/**
 * A crash, not a stop: SIGKILL to the whole process group `pgid` (wrangler, workerd and their
 * children get no chance to flush anything), then waits up to `waitMs` until no process of the
 * group is left. Resolves with whether the group is gone.
 */
export async function killGroup(pgid, waitMs = 10_000) {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // gone already
  }
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    try {
      process.kill(-pgid, 0);
    } catch {
      groups.delete(pgid);
      return true;
    }
    await sleep(50);
  }
  return false;
}

/** Whether `port` is free on loopback (nothing listens there). */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host: HOST, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The preferred port if it is free on loopback, else one the OS picks. */
export async function pickPort(preferred) {
  const tryListen = (port) =>
    new Promise((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(undefined));
      probe.listen({ host: HOST, port, exclusive: true }, () => {
        const address = probe.address();
        probe.close(() =>
          resolve(typeof address === "object" && address ? address.port : undefined),
        );
      });
    });
  const port = (await tryListen(preferred)) ?? (await tryListen(0));
  if (!port) throw new Error("no free loopback port");
  if (port !== preferred) log(`port ${preferred} is busy, using ${port}`);
  return port;
}

// ---------------------------------------------------------------------------------------------
// HTTP client

/**
 * A client for `base` over one keep-alive agent (`maxSockets` connections): `send` makes one
 * request and resolves with the status and the body text, or rejects with "timeout" after
 * `timeoutMs`.
 */
export function httpClient(base, { maxSockets, timeoutMs }) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const payload =
        body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = request(
        `${base}${path}`,
        {
          method,
          agent,
          headers: {
            ...headers,
            ...(payload !== undefined
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          res.on("error", reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end(payload);
    });
  return { send, destroy: () => agent.destroy() };
}

export async function expectJson(pending, status) {
  const res = await pending;
  if (res.status !== status) {
    throw new Error(
      `set-up request answered ${res.status} (wanted ${status}): ${res.text.slice(0, 200)}`,
    );
  }
  return JSON.parse(res.text);
}

/**
 * Through the admin API: an account "bench" with a default caller ID and a key allowed
 * `rateLimit` requests a minute. Returns them and an `admin(method, path, body)` request helper.
 */
async function setUpAccount(http, adminToken, rateLimit) {
  const admin = (method, path, body) =>
    http.send(method, path, { authorization: `Bearer ${adminToken}` }, body);
  const account = await expectJson(admin("POST", "/admin/accounts", { name: "bench" }), 201);
  await expectJson(
    admin("POST", `/admin/accounts/${account.id}/numbers`, {
      number: "+12025550143",
      default: true,
    }),
    201,
  );
  const key = await expectJson(
    admin("POST", `/admin/accounts/${account.id}/keys`, { name: "bench", rateLimit }),
    201,
  );
  return { admin, account, key };
}

/**
 * An account set up as above that may call at any hour and call one number many times: the
 * benches that place many calls measure the call path, not the calling policy or the cap.
 */
export async function setUpCallingAccount(http, adminToken, rateLimit) {
  const { admin, account, key } = await setUpAccount(http, adminToken, rateLimit);
  await expectJson(
    admin("PATCH", `/admin/accounts/${account.id}`, {
      callingPolicy: "off",
      maxCallsPerNumberPerDay: 1000,
    }),
    200,
  );
  return { admin, account, key, auth: { authorization: `Bearer ${key.key}` } };
}

// ---------------------------------------------------------------------------------------------
// Report

export function machine() {
  const cpu = cpus()[0]?.model?.trim() ?? "unknown CPU";
  return {
    nproc: availableParallelism(),
    cpu,
    memGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The commit measured, `+dirty` when the Worker's sources (`paths`) differ from it. */
export function codeVersion(paths = ["src", "migrations", "wrangler.toml"]) {
  const git = (...args) =>
    execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  try {
    const commit = git("rev-parse", "--short", "HEAD").trim();
    const dirty = git("status", "--porcelain", "--", ...paths).trim();
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return "unknown";
  }
}

/** The installed version of a package in node_modules, "?" if unknown. */
export function version(pkg) {
  try {
    return JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8"))
      .version;
  } catch {
    return "?";
  }
}

/** Nearest-rank quantile of an ascending array (0 when empty). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** A padded table, laid out the way `biome format` lays out Markdown, so `npm run lint` passes. */
export function markdownTable(header, align, rows) {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const cell = (text, i) =>
    align[i] === "right" ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
  const line = (cells) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = widths.map((w, i) =>
    align[i] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w),
  );
  return [line(header), `| ${rule.join(" | ")} |`, ...rows.map(line)];
}

// ---------------------------------------------------------------------------------------------

/**
 * An integer of at least `min` (1 unless told) from the environment, `fallback` when unset; exits
 * 2 when malformed.
 */
export function envInt(name, fallback, { min = 1 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    const kind = min === 0 ? "a non-negative" : min === 1 ? "a positive" : `an (>= ${min})`;
    console.error(`[bench] ${name} must be ${kind} integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

export function round(n, digits) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function log(msg) {
  console.error(`[bench] ${msg}`);
}

/** The newest modification time and the file count under src/ and wrangler.toml: a bench that
 * sees it change while it runs knows `wrangler dev` may have reloaded under it. */
export function sourceStamp() {
  let newest = statSync(join(ROOT, "wrangler.toml")).mtimeMs;
  let files = 0;
  for (const entry of readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return `${files}:${newest}`;
}
