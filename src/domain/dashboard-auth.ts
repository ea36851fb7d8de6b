/**
 * The dashboard's sign-in rules: password hashing (PBKDF2-SHA256 through WebCrypto, at the
 * highest iteration count Workers allow), session expiry, CSRF tokens bound to a secret, and the
 * failed sign-in window. No I/O: WebCrypto computes, nothing is stored here.
 */

/** Workers' WebCrypto refuses PBKDF2 above 100,000 iterations. */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Failed sign-ins allowed per email, and per client, in one window before sign-in is refused. */
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_CLIENT = 20;

export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  return /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/.test(email) && email.length <= 320
    ? email
    : null;
}

export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(s: string): Uint8Array {
  const bin = atob(s.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

/** A random token for cookies and one-time links: 32 bytes, base64url. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await pbkdf2(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${base64url(salt)}$${base64url(hash)}`;
}

/**
 * Whether `password` matches `stored`. With no stored hash (unknown email, invite not used yet)
 * a dummy hash is still computed, so the answer takes as long either way.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split("$");
  if (parts?.length !== 4 || parts[0] !== "pbkdf2-sha256") {
    await pbkdf2(password, new Uint8Array(SALT_BYTES), PBKDF2_ITERATIONS);
    return false;
  }
  const [, iterations, salt, expected] = parts as [string, string, string, string];
  const actual = await pbkdf2(password, fromBase64url(salt), Number(iterations));
  const want = fromBase64url(expected);
  return actual.length === want.length && crypto.subtle.timingSafeEqual(actual, want);
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  return null;
}

/** A session is live while used within the idle window and younger than the absolute limit. */
export function sessionIsLive(s: { createdAt: string; lastSeenAt: string }, now: number): boolean {
  return (
    Date.parse(s.lastSeenAt) + SESSION_IDLE_MS > now &&
    Date.parse(s.createdAt) + SESSION_ABSOLUTE_MS > now
  );
}

/** Refreshing lastSeenAt more than once a minute buys nothing. */
export function sessionNeedsTouch(lastSeenAt: string, now: number): boolean {
  return Date.parse(lastSeenAt) + 60_000 < now;
}

/**
 * The CSRF token of a secret (the session token, or the sign-in page's pre-session cookie):
 * HMAC-SHA256(secret, "csrf"). Nothing is stored; a page without the secret cannot make one.
 */
export async function csrfTokenFor(secret: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("csrf"));
  return base64url(new Uint8Array(mac));
}

export async function csrfTokenMatches(secret: string, given: string): Promise<boolean> {
  const expected = new TextEncoder().encode(await csrfTokenFor(secret));
  const actual = new TextEncoder().encode(given);
  return actual.length === expected.length && crypto.subtle.timingSafeEqual(actual, expected);
}

/** A failure window: its count restarts once the window has passed. */
export function failuresInWindow(
  row: { failures: number; windowStartedAt: string } | undefined,
  now: number,
): number {
  if (!row || Date.parse(row.windowStartedAt) + SIGN_IN_WINDOW_MS <= now) return 0;
  return row.failures;
}
