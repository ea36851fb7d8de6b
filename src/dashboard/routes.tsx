/**
 * /dashboard: server-rendered pages for an account's people, over the same tenant-scoped use
 * cases as the API (src/app). Not part of the JSON API, so not in the OpenAPI document.
 */
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import {
  accountDetail,
  addNumber,
  createKey,
  rotateWebhookSecret,
  updateAccountSettings,
} from "../app/admin";
import { cancelCall } from "../app/cancel-call";
import {
  acceptInvite,
  inviteEmail,
  signIn,
  signOut,
  signOutEverywhere,
} from "../app/dashboard-auth";
import {
  dashboardPrincipal,
  removeAccountNumber,
  revokeAccountKey,
} from "../app/dashboard-developers";
import { addDoNotCall, listDoNotCall, removeDoNotCall } from "../app/do-not-call";
import { callEvents, redeliver } from "../app/event-log";
import type { Failure } from "../app/outcome";
import { placeCall } from "../app/place-call";
import { getCall, listCalls } from "../app/read-calls";
import { readRecording } from "../app/recording";
import { PlaceCallBodySchema, tokenForIssues } from "../domain/call-schemas";
import { CALL_STATUSES } from "../domain/call-status";
import { CALLING_POLICIES } from "../domain/calling-hours";
import { passwordProblem } from "../domain/dashboard-auth";
import { isErrorToken, statusOf } from "../domain/error-tokens";
import { voiceCatalogue } from "../domain/voices";
import { durableCallEngine } from "../session-client/engine-client";
import { placementDeps } from "../wiring";
import { SCRIPT, STYLESHEET } from "./assets";
import { SetPasswordPage, SignInPage } from "./auth-pages";
import {
  CallPage,
  CallsPage,
  type EventLogView,
  type NewCallForm,
  NewCallPage,
} from "./calls-pages";
import { DevelopersPage } from "./developers-page";
import { Page } from "./layout";
import { messageFor } from "./messages";
import {
  clearSessionCookie,
  type DashContext,
  type DashEnv,
  dashOrigin,
  preSessionCsrf,
  preSessionCsrfValid,
  requireCsrf,
  requireSession,
  SESSION_COOKIE,
  setSessionCookie,
} from "./session";

export const dashboardRoutes = new Hono<DashEnv>();

dashboardRoutes.use(async (c, next) => {
  await next();
  c.header(
    "content-security-policy",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; media-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  );
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
});

dashboardRoutes.get("/assets/app.css", (c) => {
  c.header("cache-control", "public, max-age=300");
  return c.body(STYLESHEET, 200, { "content-type": "text/css; charset=utf-8" });
});
dashboardRoutes.get("/assets/app.js", (c) => {
  c.header("cache-control", "public, max-age=300");
  return c.body(SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" });
});

dashboardRoutes.get("/", (c) => c.redirect("/dashboard/calls", 303));

/** A form body as strings (a file or a repeated field is not ours: it fails the schema). */
async function formOf<S extends z.ZodType>(c: DashContext, schema: S) {
  return schema.safeParse(await c.req.parseBody());
}

const text = (max: number) => z.string().max(max).optional().default("");

// ---------------------------------------------------------------------------------------------
// Before a session

const SignInForm = z.object({ _csrf: text(200), email: text(320), password: text(256) });

dashboardRoutes.get("/sign-in", async (c) => c.html(<SignInPage csrf={await preSessionCsrf(c)} />));

dashboardRoutes.post("/sign-in", async (c) => {
  const form = await formOf(c, SignInForm);
  if (!form.success || !(await preSessionCsrfValid(c, form.data._csrf))) return forbidden(c);
  const { email, password } = form.data;
  const client = c.req.header("cf-connecting-ip") ?? "local";
  const result = await signIn(c.get("db"), { email, password, client });
  if (result.ok) {
    setSessionCookie(c, result.value.sessionToken);
    return c.redirect("/dashboard/calls", 303);
  }
  const { token, retryAfterSec } = result.error;
  const error =
    token === "rate_limited"
      ? `Too many failed sign-ins. Try again in ${Math.ceil((retryAfterSec ?? 60) / 60)} minutes.`
      : token === "unauthorized"
        ? "That email and password do not match an account."
        : messageFor(token);
  if (retryAfterSec) c.header("retry-after", String(retryAfterSec));
  return c.html(
    <SignInPage csrf={await preSessionCsrf(c)} email={email} error={error} />,
    statusOf(token),
  );
});

const SetPasswordForm = z.object({
  _csrf: text(200),
  token: text(200),
  password: text(1000),
  confirm: text(1000),
});

dashboardRoutes.get("/set-password", async (c) => {
  const token = (c.req.query("token") ?? "").slice(0, 200);
  const email = token ? await inviteEmail(c.get("db"), token) : undefined;
  const csrf = await preSessionCsrf(c);
  return c.html(
    <SetPasswordPage csrf={csrf} token={token} email={email?.ok ? email.value : null} />,
    email?.ok ? 200 : 404,
  );
});

dashboardRoutes.post("/set-password", async (c) => {
  const form = await formOf(c, SetPasswordForm);
  if (!form.success || !(await preSessionCsrfValid(c, form.data._csrf))) return forbidden(c);
  const { token, password, confirm } = form.data;
  const email = await inviteEmail(c.get("db"), token);
  const csrf = await preSessionCsrf(c);
  if (!email.ok) return c.html(<SetPasswordPage csrf={csrf} token={token} email={null} />, 404);
  const problem =
    passwordProblem(password) ?? (password === confirm ? null : "The passwords differ.");
  if (problem) {
    return c.html(
      <SetPasswordPage csrf={csrf} token={token} email={email.value} error={problem} />,
      400,
    );
  }
  const accepted = await acceptInvite(c.get("db"), token, password);
  if (!accepted.ok) return failurePage(c, accepted.error);
  setSessionCookie(c, accepted.value.sessionToken);
  return c.redirect("/dashboard/calls", 303);
});

// ---------------------------------------------------------------------------------------------
// Signed in

dashboardRoutes.use("*", requireSession, requireCsrf);

function userOf(c: DashContext) {
  return { email: c.get("session").email, csrf: c.get("csrf") };
}

function accountId(c: DashContext) {
  return c.get("session").account.id;
}

function forbidden(c: DashContext) {
  return c.html(
    <Page
      title="Forbidden"
      error="The form's security token did not match. Reload the page and try again."
    />,
    403,
  );
}

function failurePage(c: DashContext, failure: Failure) {
  const status = statusOf(failure.token);
  const title = failure.token === "not_found" ? "Not found" : "Something went wrong";
  const user = c.get("session") ? userOf(c) : undefined;
  return c.html(<Page title={title} user={user} error={messageFor(failure.token)} />, status);
}

const SignOutForm = z.object({ everywhere: z.string().optional() });

dashboardRoutes.post("/sign-out", async (c) => {
  const form = await formOf(c, SignOutForm);
  const db = c.get("db");
  const done =
    form.success && form.data.everywhere
      ? await signOutEverywhere(db, c.get("session").userId)
      : await signOut(db, getCookie(c, SESSION_COOKIE) ?? "");
  if (!done.ok) return failurePage(c, done.error);
  clearSessionCookie(c);
  return c.redirect("/dashboard/sign-in", 303);
});

const DONE: Record<string, string> = {
  "call-canceled": "The call was canceled.",
  redelivering: "The event is queued for redelivery.",
  "key-revoked": "The key was revoked: requests with it are refused from now on.",
  "number-added": "The number was added.",
  "number-default": "The default number was changed.",
  "number-removed": "The number was removed.",
  "number-in-use": "That number is a key's default caller ID; change or revoke the key first.",
  "secret-rotated": "The signing secret was rotated; the previous one keeps signing for 24 hours.",
  "policy-saved": "The calling policy was saved.",
  "dnc-added": "The number is on the do-not-call list.",
  "dnc-removed": "The number was removed from the do-not-call list.",
};

function flash(c: DashContext) {
  const done = c.req.query("done");
  const failed = c.req.query("failed");
  return {
    notice: done ? DONE[done] : undefined,
    error: failed && isErrorToken(failed) ? messageFor(failed) : undefined,
  };
}

const CallsQuery = z.object({
  status: z.enum(CALL_STATUSES).optional().catch(undefined),
  cursor: z.string().max(500).optional(),
});

dashboardRoutes.get("/calls", async (c) => {
  const q = CallsQuery.parse({
    status: c.req.query("status") || undefined,
    cursor: c.req.query("cursor"),
  });
  const page = await listCalls(c.get("db"), accountId(c), {
    limit: 20,
    cursor: q.cursor,
    statuses: q.status ? [q.status] : undefined,
  });
  if (!page.ok) return failurePage(c, page.error);
  return c.html(
    <CallsPage
      user={userOf(c)}
      calls={page.value.calls}
      status={q.status}
      nextCursor={page.value.nextCursor}
      {...flash(c)}
    />,
  );
});

const EMPTY_CALL: NewCallForm = { to: "", objective: "", context: "", fields: "", webhookUrl: "" };
const NewCallFormSchema = z.object({
  _csrf: z.string(),
  to: text(100),
  objective: text(20_000),
  context: text(20_000),
  fields: text(20_000),
  webhookUrl: text(5000),
});

dashboardRoutes.get("/calls/new", (c) =>
  c.html(<NewCallPage user={userOf(c)} form={EMPTY_CALL} />),
);

/** `name[:type[:description]]` per line → the API's fields array (validated by its schema). */
function fieldsOf(lines: string) {
  return lines
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name = "", type, ...description] = l.split(":").map((s) => s.trim());
      return {
        name,
        ...(type ? { type } : {}),
        ...(description.length ? { description: description.join(":") } : {}),
      };
    });
}

dashboardRoutes.post("/calls/new", async (c) => {
  const parsed = await formOf(c, NewCallFormSchema);
  if (!parsed.success) return failurePage(c, { token: "invalid_request" });
  const form = parsed.data;
  const body = PlaceCallBodySchema.safeParse({
    to: form.to.trim() || undefined,
    objective: form.objective,
    context: form.context.trim() || undefined,
    fields: form.fields.trim() ? fieldsOf(form.fields) : undefined,
    webhookUrl: form.webhookUrl.trim() || undefined,
  });
  const failWith = (token: Parameters<typeof messageFor>[0]) =>
    c.html(<NewCallPage user={userOf(c)} form={form} error={messageFor(token)} />, statusOf(token));
  if (!body.success) return failWith(tokenForIssues(body.error.issues));
  const config = c.get("config");
  const session = c.get("session");
  const deps = placementDeps(c.env, config, c.get("db"), {
    requestOrigin: dashOrigin(c),
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
  const who = dashboardPrincipal(session.account, session.userId, config.defaultRateLimit);
  const placed = await placeCall(deps, who, body.data);
  if (!placed.ok) return failWith(placed.error.token);
  return c.redirect(`/dashboard/calls/${placed.value.response.callId}`, 303);
});

dashboardRoutes.get("/calls/:id", async (c) => {
  const db = c.get("db");
  const id = c.req.param("id");
  const call = await getCall(db, accountId(c), id, dashOrigin(c));
  if (!call.ok) return failurePage(c, call.error);
  const log = await callEvents(db, accountId(c), id);
  if (!log.ok) return failurePage(c, log.error);
  return c.html(
    <CallPage user={userOf(c)} call={call.value} log={log.value as EventLogView} {...flash(c)} />,
  );
});

dashboardRoutes.get("/calls/:id/recording", async (c) => {
  const recording = await readRecording(
    c.get("db"),
    c.env.RECORDINGS,
    accountId(c),
    c.req.param("id"),
    c.req.header("range"),
  );
  if (!recording.ok) {
    return c.body(null, statusOf(recording.error.token) as 404);
  }
  const { size, range } = recording.value;
  const headers = new Headers({
    "content-type": "audio/wav",
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=3600",
    etag: recording.value.etag,
    "content-length": String(range ? range.length : size),
  });
  if (!range) return new Response(recording.value.body, { status: 200, headers });
  headers.set("content-range", `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`);
  return new Response(recording.value.body, { status: 206, headers });
});

dashboardRoutes.post("/calls/:id/cancel", async (c) => {
  const id = c.req.param("id");
  const origin = dashOrigin(c);
  const canceled = await cancelCall(
    { db: c.get("db"), engine: durableCallEngine(c.env.CALL_SESSION, origin) },
    { accountId: accountId(c), callId: id, baseUrl: origin },
  );
  if (!canceled.ok && canceled.error.token === "not_found") return failurePage(c, canceled.error);
  const to = canceled.ok ? "done=call-canceled" : `failed=${canceled.error.token}`;
  return c.redirect(`/dashboard/calls/${encodeURIComponent(id)}?${to}`, 303);
});

dashboardRoutes.post("/calls/:id/events/:eventId/redeliver", async (c) => {
  const { id, eventId } = c.req.param();
  const sent = await redeliver(c.get("db"), c.env.WEBHOOKS, {
    accountId: accountId(c),
    callId: id,
    eventId,
  });
  if (!sent.ok && sent.error.token === "not_found") return failurePage(c, sent.error);
  const to = sent.ok ? "done=redelivering" : `failed=${sent.error.token}`;
  return c.redirect(`/dashboard/calls/${encodeURIComponent(id)}?${to}`, 303);
});

// ---------------------------------------------------------------------------------------------
// Developers

async function developersPage(
  c: DashContext,
  extra: {
    newKey?: { key: string; name: string | null };
    error?: string;
    status?: 200 | 201 | 400;
  } = {},
) {
  const db = c.get("db");
  const config = c.get("config");
  const detail = await accountDetail(db, accountId(c));
  if (!detail.ok) return failurePage(c, detail.error);
  const dncCursor = c.req.query("dncCursor")?.slice(0, 500);
  let dnc = await listDoNotCall(db, accountId(c), { limit: 20, cursor: dncCursor });
  if (!dnc.ok && dnc.error.token === "invalid_cursor") {
    dnc = await listDoNotCall(db, accountId(c), { limit: 20 });
  }
  if (!dnc.ok) return failurePage(c, dnc.error);
  const shown = flash(c);
  return c.html(
    <DevelopersPage
      user={userOf(c)}
      data={detail.value}
      voices={voiceCatalogue(config.voiceProvider)}
      defaultRateLimit={config.defaultRateLimit}
      dnc={dnc.value}
      newKey={extra.newKey}
      notice={shown.notice}
      error={extra.error ?? shown.error}
    />,
    extra.status ?? 200,
  );
}

dashboardRoutes.get("/developers", (c) => developersPage(c));

/** After a developer action: back to the page with its notice, or the failure's message. */
function backToDevelopers(
  c: DashContext,
  outcome: { ok: true } | { ok: false; error: Failure },
  done: string,
) {
  const to = outcome.ok ? `done=${done}` : `failed=${outcome.error.token}`;
  return c.redirect(`/dashboard/developers?${to}`, 303);
}

const KeyForm = z.object({
  _csrf: z.string(),
  name: text(100),
  voice: text(64),
  callerId: text(40),
  rateLimit: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});

dashboardRoutes.post("/developers/keys", async (c) => {
  const form = await formOf(c, KeyForm);
  if (!form.success)
    return backToDevelopers(c, { ok: false, error: { token: "invalid_request" } }, "");
  const { name, voice, callerId, rateLimit } = form.data;
  const config = c.get("config");
  const created = await createKey(
    c.get("db"),
    accountId(c),
    { name: name || null, voice: voice || null, callerId: callerId || null, rateLimit },
    { rateLimit: config.defaultRateLimit, voiceProvider: config.voiceProvider },
  );
  if (!created.ok) return backToDevelopers(c, created, "");
  // Shown on this answer only (never in a URL or stored).
  return developersPage(c, {
    newKey: { key: created.value.key, name: created.value.name },
    status: 201,
  });
});

dashboardRoutes.post("/developers/keys/:id/revoke", async (c) =>
  backToDevelopers(
    c,
    await revokeAccountKey(c.get("db"), accountId(c), c.req.param("id")),
    "key-revoked",
  ),
);

const NumberForm = z.object({
  _csrf: z.string(),
  number: text(40),
  default: z.string().optional(),
});

dashboardRoutes.post("/developers/numbers", async (c) => {
  const form = await formOf(c, NumberForm);
  if (!form.success)
    return backToDevelopers(c, { ok: false, error: { token: "invalid_request" } }, "");
  const added = await addNumber(
    c.get("db"),
    accountId(c),
    form.data.number,
    Boolean(form.data.default),
  );
  return backToDevelopers(c, added, "number-added");
});

dashboardRoutes.post("/developers/numbers/default", async (c) => {
  const form = await formOf(c, NumberForm);
  if (!form.success)
    return backToDevelopers(c, { ok: false, error: { token: "invalid_request" } }, "");
  const updated = await addNumber(c.get("db"), accountId(c), form.data.number, true);
  return backToDevelopers(c, updated, "number-default");
});

dashboardRoutes.post("/developers/numbers/remove", async (c) => {
  const form = await formOf(c, NumberForm);
  if (!form.success)
    return backToDevelopers(c, { ok: false, error: { token: "invalid_request" } }, "");
  const removed = await removeAccountNumber(c.get("db"), accountId(c), form.data.number);
  if (!removed.ok) return backToDevelopers(c, removed, "");
  return backToDevelopers(
    c,
    removed,
    removed.value === "removed" ? "number-removed" : "number-in-use",
  );
});

dashboardRoutes.post("/developers/webhook-secret/rotate", async (c) =>
  backToDevelopers(c, await rotateWebhookSecret(c.get("db"), accountId(c)), "secret-rotated"),
);

const PolicyForm = z.object({ _csrf: z.string(), callingPolicy: z.enum(CALLING_POLICIES) });

dashboardRoutes.post("/developers/calling-policy", async (c) => {
  const form = await formOf(c, PolicyForm);
  if (!form.success)
    return backToDevelopers(c, { ok: false, error: { token: "invalid_request" } }, "");
  const saved = await updateAccountSettings(c.get("db"), accountId(c), {
    callingPolicy: form.data.callingPolicy,
  });
  return backToDevelopers(c, saved, "policy-saved");
});

const DncForm = z.object({ _csrf: z.string(), number: text(40), reason: text(500) });

dashboardRoutes.post("/developers/dnc", async (c) => {
  const form = await formOf(c, DncForm);
  if (!form.success)
    return backToDevelopers(c, { ok: false, error: { token: "invalid_request" } }, "");
  const added = await addDoNotCall(c.get("db"), accountId(c), {
    number: form.data.number,
    reason: form.data.reason.trim() || null,
    source: "api",
  });
  return backToDevelopers(c, added, "dnc-added");
});

dashboardRoutes.post("/developers/dnc/remove", async (c) => {
  const form = await formOf(c, DncForm);
  if (!form.success)
    return backToDevelopers(c, { ok: false, error: { token: "invalid_request" } }, "");
  const removed = await removeDoNotCall(c.get("db"), accountId(c), form.data.number);
  return backToDevelopers(c, removed, "dnc-removed");
});

dashboardRoutes.all("*", (c) => failurePage(c, { token: "not_found" }));

dashboardRoutes.onError((e, c) => {
  console.error("dashboard request failed", {
    requestId: c.get("requestId"),
    path: c.req.path,
    error: e instanceof Error ? e.message : String(e),
  });
  return c.html(<Page title="Something went wrong" error="The request failed; try again." />, 500);
});
