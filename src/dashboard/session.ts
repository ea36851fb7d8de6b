/**
 * The dashboard's cookies and guards: the session cookie (a random token; only its hash is
 * stored), the pre-session cookie that binds the sign-in forms' CSRF token, the requireSession
 * middleware (no session → the sign-in page) and the CSRF check on every POST (→ 403).
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { type DashboardSession, sessionOf } from "../app/dashboard-auth";
import { csrfTokenFor, csrfTokenMatches, randomToken } from "../domain/dashboard-auth";
import type { AppEnv } from "../http/app-env";
import { publicOrigin } from "../http/origin";

export const SESSION_COOKIE = "bys_session";
const PRE_SESSION_COOKIE = "bys_pre";
const COOKIE_PATH = "/dashboard";
const SESSION_MAX_AGE_SEC = 7 * 24 * 60 * 60;

export type DashEnv = {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    session: DashboardSession;
    sessionToken: string;
    csrf: string;
  };
};

export type DashContext = Context<DashEnv>;

/** Our public origin (see src/http/origin.ts); the dashboard's context has the same variables. */
export function dashOrigin(c: Context<DashEnv>): string {
  return publicOrigin(c as unknown as Context<AppEnv>);
}

function cookieOptions(c: Context<DashEnv>) {
  return {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "Lax" as const,
    secure: dashOrigin(c).startsWith("https:"),
  };
}

export function setSessionCookie(c: Context<DashEnv>, token: string) {
  setCookie(c, SESSION_COOKIE, token, { ...cookieOptions(c), maxAge: SESSION_MAX_AGE_SEC });
  deleteCookie(c, PRE_SESSION_COOKIE, cookieOptions(c));
}

export function clearSessionCookie(c: Context<DashEnv>) {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}

/** The CSRF token for the sign-in and set-password forms, setting the pre-session cookie. */
export async function preSessionCsrf(c: Context<DashEnv>): Promise<string> {
  let secret = getCookie(c, PRE_SESSION_COOKIE);
  if (!secret || secret.length < 32) {
    secret = randomToken();
    setCookie(c, PRE_SESSION_COOKIE, secret, cookieOptions(c));
  }
  return csrfTokenFor(secret);
}

export async function preSessionCsrfValid(c: Context<DashEnv>, given: string): Promise<boolean> {
  const secret = getCookie(c, PRE_SESSION_COOKIE);
  return Boolean(secret) && csrfTokenMatches(secret ?? "", given);
}

export const requireSession: MiddlewareHandler<DashEnv> = async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const session = token ? await sessionOf(c.get("db"), token) : undefined;
  if (!token || !session?.ok) {
    if (token) clearSessionCookie(c);
    if (session && !session.ok && session.error.token === "store_error") {
      return c.text("The store is unavailable; try again shortly.", 503);
    }
    return c.redirect("/dashboard/sign-in", 303);
  }
  c.set("session", session.value);
  c.set("sessionToken", token);
  c.set("csrf", await csrfTokenFor(token));
  await next();
};

/** Every state-changing request carries the session's CSRF token in the form field `_csrf`. */
export const requireCsrf: MiddlewareHandler<DashEnv> = async (c, next) => {
  if (c.req.method !== "POST") return next();
  const form = await c.req.parseBody();
  const given = typeof form._csrf === "string" ? form._csrf : "";
  if (!(await csrfTokenMatches(c.get("sessionToken"), given))) {
    return c.text("Forbidden: the form's security token did not match. Reload the page.", 403);
  }
  await next();
};
