import { describe, expect, it } from "vitest";
import {
  csrfTokenFor,
  csrfTokenMatches,
  failuresInWindow,
  hashPassword,
  normalizeEmail,
  PBKDF2_ITERATIONS,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SIGN_IN_WINDOW_MS,
  sessionIsLive,
  verifyPassword,
} from "../../src/domain/dashboard-auth";

const at = (ms: number) => new Date(ms).toISOString();

describe("dashboard passwords", () => {
  it("hashes with PBKDF2-SHA256 at 100,000 iterations and a random salt, and verifies", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(new RegExp(`^pbkdf2-sha256\\$${PBKDF2_ITERATIONS}\\$`));
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("anything", null)).toBe(false);
  });

  it("normalises emails and refuses what is not one", () => {
    expect(normalizeEmail("  Ana@Acme.COM ")).toBe("ana@acme.com");
    expect(normalizeEmail("ana@acme")).toBeNull();
    expect(normalizeEmail("not an email")).toBeNull();
  });
});

describe("dashboard sessions", () => {
  const t0 = Date.parse("2026-12-01T00:00:00.000Z");
  it.each([
    ["fresh", t0, t0, t0 + 1000, true],
    ["idle just under 12 h", t0, t0, t0 + SESSION_IDLE_MS - 1, true],
    ["idle 12 h", t0, t0, t0 + SESSION_IDLE_MS, false],
    [
      "used but older than 7 days",
      t0,
      t0 + SESSION_ABSOLUTE_MS - 1000,
      t0 + SESSION_ABSOLUTE_MS,
      false,
    ],
  ])("%s", (_name, created, seen, now, live) => {
    expect(sessionIsLive({ createdAt: at(created), lastSeenAt: at(seen) }, now)).toBe(live);
  });
});

describe("CSRF tokens", () => {
  it("match only the secret they were made from", async () => {
    const token = await csrfTokenFor("session-a");
    expect(await csrfTokenMatches("session-a", token)).toBe(true);
    expect(await csrfTokenMatches("session-b", token)).toBe(false);
    expect(await csrfTokenMatches("session-a", "forged")).toBe(false);
  });
});

describe("failed sign-in window", () => {
  const t0 = Date.parse("2026-12-01T00:00:00.000Z");
  it("counts within the window and restarts after it", () => {
    const row = { failures: 4, windowStartedAt: at(t0) };
    expect(failuresInWindow(row, t0 + SIGN_IN_WINDOW_MS - 1)).toBe(4);
    expect(failuresInWindow(row, t0 + SIGN_IN_WINDOW_MS)).toBe(0);
    expect(failuresInWindow(undefined, t0)).toBe(0);
  });
});
