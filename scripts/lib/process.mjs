// Child processes in their own process groups, so a whole tree (npm → wrangler → workerd) can be
// stopped at once; `groups` holds the live group ids for the caller's cleanup.
import { spawn } from "node:child_process";

/** Runs a command to completion, collecting its output. */
export function runGrouped(cmd, args, { cwd, env, groups }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    groups.add(child.pid);
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", (e) => {
      output += `${e.message}\n`;
    });
    child.on("close", (code) => {
      groups.delete(child.pid);
      resolve({ code: code ?? 1, output });
    });
  });
}

/**
 * Stops every process group in `groups`: SIGTERM, then SIGKILL to those still alive after
 * `graceMs`.
 */
export async function stopGroups(groups, graceMs = 5000) {
  for (const pgid of groups) signalGroup(pgid, "SIGTERM");
  const until = Date.now() + graceMs;
  while ([...groups].some(groupAlive) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const pgid of groups) if (groupAlive(pgid)) signalGroup(pgid, "SIGKILL");
}

function signalGroup(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch {
    // gone already
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
