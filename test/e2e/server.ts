/**
 * The browser tests' own `wrangler dev`: a fresh local state directory, migrations applied, a
 * free loopback port, the local-development variables `npm start` would write (LOCAL_DEV, random
 * ADMIN_TOKEN and SIMULATOR_AUTH_TOKEN), in its own process group so stopping kills the tree.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");
const HOST = "127.0.0.1";
const STARTUP_TIMEOUT_MS = 60_000;

const childEnv = {
  ...process.env,
  PATH: `${BIN}${delimiter}${process.env.PATH ?? ""}`,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
};

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error("no free port");
  return port;
}

/**
 * `count` distinct free ports: all probes are held open together, so the system cannot hand the
 * same port out twice (two probes in a row may get the same one back, and then wrangler's server
 * and its inspector collide).
 */
export async function freePorts(count: number): Promise<number[]> {
  const probes = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const probe = createServer();
          probe.once("error", reject);
          probe.listen({ host: HOST, port: 0, exclusive: true }, () => resolve(probe));
        }),
    ),
  );
  const ports = probes.map((probe) => {
    const address = probe.address();
    if (typeof address !== "object" || !address) throw new Error("no port");
    return address.port;
  });
  await Promise.all(probes.map((probe) => new Promise((resolve) => probe.close(resolve))));
  return ports;
}

function run(args: string[], log: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(join(BIN, "wrangler"), args, { cwd: ROOT, env: childEnv });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export type Server = { base: string; adminToken: string; stop: () => Promise<void> };

export async function startServer(): Promise<Server> {
  const state = mkdtempSync(join(tmpdir(), "bys-e2e-"));
  const logFile = join(state, "wrangler.log");
  const log = createWriteStream(logFile);
  const migrated = await run(
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
    log,
  );
  if (migrated !== 0) throw new Error(`migrations failed (see ${logFile})`);
  const [port, inspector] = (await freePorts(2)) as [number, number];
  const base = `http://${HOST}:${port}`;
  const adminToken = randomBytes(24).toString("base64url");
  const vars = [
    "LOCAL_DEV:true",
    `ADMIN_TOKEN:${adminToken}`,
    `SIMULATOR_AUTH_TOKEN:${randomBytes(24).toString("base64url")}`,
    `PUBLIC_BASE_URL:${base}`,
    // A quicker simulated conversation than npm start's one-second beat.
    "SIMULATOR_PACE_MS:200",
  ];
  const child: ChildProcess = spawn(
    join(BIN, "wrangler"),
    [
      "dev",
      "--ip",
      HOST,
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
      ...vars.flatMap((v) => ["--var", v]),
    ],
    { cwd: ROOT, env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const stop = async () => {
    if (child.pid && !exited) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // gone already
      }
      const until = Date.now() + 5000;
      while (!exited && Date.now() < until) await sleep(100);
      if (!exited) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
    }
    log.end();
    rmSync(state, { recursive: true, force: true });
  };

  const until = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < until) {
    if (exited) throw new Error(`wrangler dev exited during start-up (see ${logFile})`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { base, adminToken, stop };
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`${base}/health did not answer within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

export function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
