/** Test helpers that drive the Worker through its public HTTP surface. */
import { env, exports } from "cloudflare:workers";
import { TERMINAL_STATUSES } from "../src/domain/call-status";
import { twilioSignature } from "../src/telephony/twilio/signature";
import { waitFor } from "./wait-for";

export const BASE = "https://api.test";

export async function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

export async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return call(method, `/admin${path}`, { token: env.ADMIN_TOKEN, body });
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

let accountCounter = 0;

/**
 * An account with one default caller ID (+12025550143 unless given) and one key. Its per-number
 * frequency cap is 1000 unless given (most tests call one number many times; the cap has its own).
 * Its calling policy is `off` unless given: the suite places calls at whatever time it runs, and
 * only the calling-hours tests, which set the clock, should depend on the hour.
 */
export async function setupAccount(
  opts: {
    minuteCap?: number | null;
    callingPolicy?: "standard" | "strict" | "off";
    rateLimit?: number;
    numbers?: string[];
    keyVoice?: string;
    maxCallsPerNumberPerDay?: number;
  } = {},
) {
  accountCounter += 1;
  const created = await json<{ id: string; webhookSecret: string }>(
    await admin("POST", "/accounts", {
      name: `acct-${accountCounter}`,
      minuteCap: opts.minuteCap ?? null,
      callingPolicy: opts.callingPolicy ?? "off",
    }),
  );
  const capped = await admin("PATCH", `/accounts/${created.id}`, {
    maxCallsPerNumberPerDay: opts.maxCallsPerNumberPerDay ?? 1000,
  });
  if (capped.status !== 200) throw new Error(`set frequency cap: ${capped.status}`);
  const numbers = opts.numbers ?? ["+12025550143"];
  for (const [i, number] of numbers.entries()) {
    const res = await admin("POST", `/accounts/${created.id}/numbers`, {
      number,
      default: i === 0,
    });
    if (res.status !== 201) throw new Error(`add number ${number}: ${res.status}`);
  }
  const key = await json<{ id: string; key: string }>(
    await admin("POST", `/accounts/${created.id}/keys`, {
      rateLimit: opts.rateLimit ?? 1000,
      ...(opts.keyVoice ? { voice: opts.keyVoice } : {}),
    }),
  );
  return {
    accountId: created.id,
    keyId: key.id,
    key: key.key,
    webhookSecret: created.webhookSecret,
  };
}

export const VALID_CALL = {
  to: "+14155550123",
  objective: "Book a table for 4 at 7 PM Friday. Confirm the time and ask for their name.",
};

/** A call as GET /v1/agent/calls/{id} returns it. */
export type CallOut = Record<string, unknown> & { id: string; status: string };

/** Places a call (VALID_CALL unless given) and returns its id; anything but 202 throws. */
export async function placeCall(
  token: string,
  body: Record<string, unknown> = VALID_CALL,
): Promise<string> {
  const res = await call("POST", "/v1/agent/calls", { token, body });
  if (res.status !== 202) throw new Error(`place call: ${res.status} ${await res.text()}`);
  return (await json<{ callId: string }>(res)).callId;
}

export async function getCall(token: string, id: string): Promise<CallOut> {
  return json<CallOut>(await call("GET", `/v1/agent/calls/${id}`, { token }));
}

/** Widened so that any string the API returns can be looked up. */
const TERMINAL: ReadonlySet<string> = TERMINAL_STATUSES;

/**
 * Polls the public API, as a client would, until the call is terminal; `seen` lists the statuses
 * it went through. Each probe is a request through the Worker and D1, competing with the call for
 * the CPU, hence 20 ms between them rather than waitFor's few. The default bound is generous (an
 * ordinary simulated call takes ~3 s) so a loaded machine does not fail a correct call; it stays
 * under the test timeout so the failure says which statuses the call went through.
 */
export async function waitForTerminal(
  token: string,
  id: string,
  { timeoutMs = 12_000 }: { timeoutMs?: number } = {},
): Promise<CallOut & { seen: string[] }> {
  const seen: string[] = [];
  return waitFor(
    async () => {
      const c = await getCall(token, id);
      if (seen.at(-1) !== c.status) seen.push(c.status);
      return TERMINAL.has(c.status) ? { ...c, seen } : undefined;
    },
    { timeoutMs, intervalMs: 20, describe: () => `call ${id} went ${seen.join(" → ")}` },
  );
}

/** Places a call and waits until it is terminal. */
export async function placeAndWait(
  token: string,
  body: Record<string, unknown> = VALID_CALL,
  opts: { timeoutMs?: number } = {},
): Promise<CallOut & { seen: string[] }> {
  return waitForTerminal(token, await placeCall(token, body), opts);
}

/** A carrier callback to the call, form-encoded and signed as Twilio signs it. */
export async function signedCallback(
  id: string,
  params: Record<string, string>,
  kind = "status",
  token: string = env.SIMULATOR_AUTH_TOKEN,
) {
  const url = `${BASE}/telephony/twilio/${kind}/${id}`;
  return exports.default.fetch(
    new Request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": await twilioSignature(token, url, params),
      },
      body: new URLSearchParams(params),
    }),
  );
}
