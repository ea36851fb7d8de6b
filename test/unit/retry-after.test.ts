import { describe, expect, it } from "vitest";
import { retryAfterMs } from "../../src/domain/retry-schedule";

describe("retryAfterMs (the one Retry-After parser)", () => {
  const now = Date.parse("2026-11-24T12:00:00Z");
  it.each([
    ["120", 120_000],
    [" 7 ", 7000],
    ["0", 0],
    ["Tue, 24 Nov 2026 12:01:00 GMT", 60_000],
    ["Tue, 24 Nov 2026 11:59:00 GMT", 0],
    ["soon", null],
    ["", null],
    [null, null],
  ])("%j → %j", (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });
});
