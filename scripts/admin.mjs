#!/usr/bin/env node
/**
 * `npm run --silent admin -- <command> [--flags]`: a thin CLI over the /admin HTTP API.
 *
 * Prints exactly one JSON object on stdout: the API's answer, or `{"error": ...}` on failure.
 * Exit codes: 0 success, 1 the request failed (HTTP error, network, no token), 2 usage error.
 *
 * Talks to http://127.0.0.1:8787 with ADMIN_TOKEN from .dev.vars by default; `--url` and
 * `--token` point it at another server (a deployment).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readDevVars as readDevVarsFile } from "./lib/dev-vars.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DEV_VARS = join(ROOT, ".dev.vars");
const DEFAULT_URL = "http://127.0.0.1:8787";
const TIMEOUT_MS = 30_000;

const USAGE = [
  "npm run --silent admin -- <command> [--flags]   (global: --url URL, --token ADMIN_TOKEN)",
  "create-account --name NAME [--minute-cap N] [--calling-policy standard|strict|off]",
  "get-account --id ACCOUNT_ID",
  "update-account --id ACCOUNT_ID [--minute-cap N|none] [--max-calls-per-number-per-day N] [--calling-policy standard|strict|off] [--display-name NAME|none]",
  "add-number --account ACCOUNT_ID --number E164 [--default]",
  "create-key --account ACCOUNT_ID [--name NAME] [--voice VOICE] [--caller-id E164] [--rate-limit N]",
  "update-key --id KEY_ID [--name NAME] [--voice VOICE|none] [--caller-id E164|none] [--rate-limit N]",
  "revoke-key --id KEY_ID",
  "create-user --account ACCOUNT_ID --email EMAIL   (prints the user's id and a one-time signInUrl, 24 h)",
  "rotate-webhook-secret --id ACCOUNT_ID",
  "dnc-add --account ACCOUNT_ID --number E164 [--reason REASON] [--source admin|recipient_request]",
  "dnc-remove --account ACCOUNT_ID --number E164",
  "dnc-list --account ACCOUNT_ID [--limit N] [--cursor CURSOR]",
  "help",
];

const OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  name: { type: "string" },
  id: { type: "string" },
  account: { type: "string" },
  number: { type: "string" },
  default: { type: "boolean" },
  "minute-cap": { type: "string" },
  "calling-policy": { type: "string" },
  voice: { type: "string" },
  "caller-id": { type: "string" },
  "rate-limit": { type: "string" },
  "max-calls-per-number-per-day": { type: "string" },
  "display-name": { type: "string" },
  reason: { type: "string" },
  email: { type: "string" },
  source: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  help: { type: "boolean", short: "h" },
};
const GLOBAL_FLAGS = ["url", "token", "help"];
/** As src/domain/calling-hours.ts; the API checks it again. */
const CALLING_POLICIES = ["standard", "strict", "off"];

/** A usage problem: reported with exit code 2. */
class UsageError extends Error {}

/** Each command: the flags it accepts, the required ones, and the request it makes. */
const COMMANDS = {
  "create-account": {
    flags: ["name", "minute-cap", "calling-policy"],
    required: ["name"],
    request: (f) => ({
      method: "POST",
      path: "/admin/accounts",
      body: { name: f.name, ...accountFields(f) },
    }),
  },
  "get-account": {
    flags: ["id"],
    required: ["id"],
    request: (f) => ({ method: "GET", path: `/admin/accounts/${seg(f.id)}` }),
  },
  "update-account": {
    flags: ["id", "minute-cap", "max-calls-per-number-per-day", "calling-policy", "display-name"],
    required: ["id"],
    request: (f) => {
      const body = accountFields(f);
      if (f["max-calls-per-number-per-day"] !== undefined) {
        body.maxCallsPerNumberPerDay = integer(
          f["max-calls-per-number-per-day"],
          "--max-calls-per-number-per-day",
        );
      }
      const displayName = f["display-name"];
      if (displayName !== undefined) body.displayName = displayName === "none" ? null : displayName;
      if (Object.keys(body).length === 0) {
        throw new UsageError(
          "update-account needs --minute-cap, --max-calls-per-number-per-day, --calling-policy or --display-name",
        );
      }
      return { method: "PATCH", path: `/admin/accounts/${seg(f.id)}`, body };
    },
  },
  "add-number": {
    flags: ["account", "number", "default"],
    required: ["account", "number"],
    request: (f) => ({
      method: "POST",
      path: `/admin/accounts/${seg(f.account)}/numbers`,
      body: { number: f.number, default: f.default === true },
    }),
  },
  "create-key": {
    flags: ["account", "name", "voice", "caller-id", "rate-limit"],
    required: ["account"],
    request: (f) => ({
      method: "POST",
      path: `/admin/accounts/${seg(f.account)}/keys`,
      body: keyFields(f, false),
    }),
  },
  "update-key": {
    flags: ["id", "name", "voice", "caller-id", "rate-limit"],
    required: ["id"],
    request: (f) => {
      const body = keyFields(f, true);
      if (Object.keys(body).length === 0) {
        throw new UsageError(
          "update-key needs at least one of --name, --voice, --caller-id, --rate-limit",
        );
      }
      return { method: "PATCH", path: `/admin/keys/${seg(f.id)}`, body };
    },
  },
  "create-user": {
    flags: ["account", "email"],
    required: ["account", "email"],
    request: (f) => ({
      method: "POST",
      path: `/admin/accounts/${seg(f.account)}/users`,
      body: { email: f.email },
    }),
  },
  "revoke-key": {
    flags: ["id"],
    required: ["id"],
    request: (f) => ({ method: "POST", path: `/admin/keys/${seg(f.id)}/revoke` }),
  },
  "rotate-webhook-secret": {
    flags: ["id"],
    required: ["id"],
    request: (f) => ({
      method: "POST",
      path: `/admin/accounts/${seg(f.id)}/webhook-secret/rotate`,
    }),
  },
  "dnc-add": {
    flags: ["account", "number", "reason", "source"],
    required: ["account", "number"],
    request: (f) => ({
      method: "POST",
      path: `/admin/accounts/${seg(f.account)}/dnc`,
      body: {
        number: f.number,
        ...(f.reason !== undefined ? { reason: f.reason } : {}),
        ...(f.source !== undefined ? { source: f.source } : {}),
      },
    }),
  },
  "dnc-remove": {
    flags: ["account", "number"],
    required: ["account", "number"],
    request: (f) => ({
      method: "DELETE",
      path: `/admin/accounts/${seg(f.account)}/dnc/${seg(f.number)}`,
    }),
  },
  "dnc-list": {
    flags: ["account", "limit", "cursor"],
    required: ["account"],
    request: (f) => {
      const query = new URLSearchParams();
      if (f.limit !== undefined) query.set("limit", String(integer(f.limit, "--limit")));
      if (f.cursor !== undefined) query.set("cursor", f.cursor);
      const qs = query.size > 0 ? `?${query}` : "";
      return { method: "GET", path: `/admin/accounts/${seg(f.account)}/dnc${qs}` };
    },
  },
};

process.exitCode = await main(process.argv.slice(2)).catch((e) =>
  print({ error: e instanceof Error ? e.message : String(e) }, 1),
);

async function main(argv) {
  let request;
  let flags;
  try {
    const parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    flags = parsed.values;
    const [command, ...extra] = parsed.positionals;
    if (command === "help" || (command === undefined && flags.help)) {
      return print({ usage: USAGE }, 0);
    }
    if (command === undefined) throw new UsageError("missing command");
    const spec = COMMANDS[command];
    if (!spec) throw new UsageError(`unknown command: ${command}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
    for (const flag of Object.keys(flags)) {
      if (!spec.flags.includes(flag) && !GLOBAL_FLAGS.includes(flag)) {
        throw new UsageError(`${command} does not take --${flag}`);
      }
    }
    for (const flag of spec.required) {
      if (flags[flag] === undefined || flags[flag] === "") {
        throw new UsageError(`${command} needs --${flag}`);
      }
    }
    request = spec.request(flags);
  } catch (e) {
    if (e instanceof UsageError || isParseArgsError(e)) {
      return print({ error: "usage", message: e.message, usage: USAGE }, 2);
    }
    throw e;
  }

  const base = (flags.url ?? DEFAULT_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+$/.test(base)) {
    return print(
      { error: "usage", message: `--url must be http(s)://host[:port], got ${base}` },
      2,
    );
  }
  const token = flags.token ?? readDevVars().ADMIN_TOKEN;
  if (!token) {
    return print(
      { error: "no admin token: pass --token, or run `npm start` once to create .dev.vars" },
      1,
    );
  }
  return send(base, token, request);
}

async function send(base, token, { method, path, body }) {
  const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res;
  let text;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    text = await res.text();
  } catch (e) {
    const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
    return print({ error: `could not reach ${base}: ${cause}` }, 1);
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status === 204) return print({ ok: true }, 0);
  const isObject = json !== null && typeof json === "object" && !Array.isArray(json);
  if (res.ok && isObject) return print(json, 0);
  if (res.ok)
    return print({ error: `unexpected answer (HTTP ${res.status}): ${text.slice(0, 200)}` }, 1);
  if (isObject && typeof json.error === "string") return print({ ...json, status: res.status }, 1);
  return print({ error: `HTTP ${res.status}: ${text.slice(0, 200)}`, status: res.status }, 1);
}

// ---------------------------------------------------------------------------------------------

function print(obj, code) {
  process.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
  return code;
}

function isParseArgsError(e) {
  return typeof e?.code === "string" && e.code.startsWith("ERR_PARSE_ARGS_");
}

function seg(s) {
  return encodeURIComponent(s);
}

function integer(raw, flag) {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} must be a whole number, got ${raw}`);
  return Number(raw);
}

/** A minute cap: a whole number, or `none` for no cap. */
function capOrNull(raw, flag) {
  return raw === "none" ? null : integer(raw, flag);
}

/** The account settings given on the command line. */
function accountFields(f) {
  const body = {};
  if (f["minute-cap"] !== undefined) body.minuteCap = capOrNull(f["minute-cap"], "--minute-cap");
  const policy = f["calling-policy"];
  if (policy !== undefined) {
    if (!CALLING_POLICIES.includes(policy)) {
      throw new UsageError(`--calling-policy must be standard, strict or off, got ${policy}`);
    }
    body.callingPolicy = policy;
  }
  return body;
}

/** The key settings given on the command line; `none` clears a voice or caller ID on update. */
function keyFields(f, allowClear) {
  const clear = (v) => (allowClear && v === "none" ? null : v);
  const body = {};
  if (f.name !== undefined) body.name = f.name;
  if (f.voice !== undefined) body.voice = clear(f.voice);
  if (f["caller-id"] !== undefined) body.callerId = clear(f["caller-id"]);
  if (f["rate-limit"] !== undefined) body.rateLimit = integer(f["rate-limit"], "--rate-limit");
  return body;
}

/** Simple KEY=VALUE lines; comments, blank lines, `export ` and surrounding quotes ignored. */
function readDevVars() {
  return readDevVarsFile(DEV_VARS);
}
