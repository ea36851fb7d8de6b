import { describe, expect, it } from "vitest";
import { billedMinutes, periodStart } from "../../src/domain/billing";
import { type Buckets, take, WINDOW_SEC } from "../../src/domain/sliding-window";
import { enter, type Leases, pollDelayMs } from "../../src/domain/wait-slots";
import { canonicalJson, randomBase62 } from "../../src/lib/crypto";

describe("wait slots", () => {
  it("admits `limit` running waits, hints at the first deadline, and forgets expired leases", () => {
    let leases: Leases = {};
    for (let i = 0; i < 2; i++) {
      const r = enter(leases, 2, 1000, { id: `w${i}`, untilMs: 11_000 + i * 5000 });
      expect(r.result).toEqual({ ok: true, lease: `w${i}` });
      leases = r.leases;
    }
    expect(enter(leases, 2, 2000, { id: "w2", untilMs: 9000 }).result).toEqual({
      ok: false,
      retryAfterSec: 9,
    });
    // A lease whose wait never gave its place back stops counting at its deadline.
    const later = enter(leases, 2, 11_000, { id: "w3", untilMs: 20_000 });
    expect(later.result).toEqual({ ok: true, lease: "w3" });
    expect(later.leases).toEqual({ w1: 16_000, w3: 20_000 });
  });
  it("polls every 500 ms at first, backing off to 2 s", () => {
    expect(Array.from({ length: 6 }, (_, i) => pollDelayMs(i))).toEqual([
      500, 750, 1125, 1688, 2000, 2000,
    ]);
  });
});

describe("sliding window", () => {
  it("allows exactly `limit` placements per 60 s and says when the next one fits", () => {
    let buckets: Buckets = [];
    const t0 = 1_000_000_000;
    for (let i = 0; i < 3; i++) {
      const r = take(buckets, 3, t0 + i * 1000);
      expect(r.result).toEqual({ ok: true });
      buckets = r.buckets;
    }
    const refused = take(buckets, 3, t0 + 10_000);
    // The oldest placement (second t0) leaves the window 60 s after it: 50 s from now.
    expect(refused.result).toEqual({ ok: false, retryAfterSec: 50 });
    expect(take(refused.buckets, 3, t0 + WINDOW_SEC * 1000).result).toEqual({ ok: true });
  });
  it("keeps at most one bucket per second, whatever the limit", () => {
    let buckets: Buckets = [];
    for (let i = 0; i < 500; i++) buckets = take(buckets, 10_000, 5_000_000 + i).buckets;
    expect(buckets).toEqual([[5000, 500]]);
  });
  it("never answers Retry-After 0", () => {
    const r = take([[1000, 1]], 1, 1000 * 1000 + WINDOW_SEC * 1000 - 1);
    expect(r.result).toEqual({ ok: false, retryAfterSec: 1 });
  });
});

describe("billing period", () => {
  it("starts at the latest monthly anniversary of the anchor", () => {
    const anchor = "2026-01-15T10:00:00.000Z";
    expect(periodStart(anchor, new Date("2026-03-20T00:00:00Z")).toISOString()).toBe(
      "2026-03-15T10:00:00.000Z",
    );
    expect(periodStart(anchor, new Date("2026-03-15T09:59:59Z")).toISOString()).toBe(
      "2026-02-15T10:00:00.000Z",
    );
  });
  it("clamps the 31st to short months", () => {
    const anchor = "2026-01-31T00:00:00.000Z";
    expect(periodStart(anchor, new Date("2026-02-28T12:00:00Z")).toISOString()).toBe(
      "2026-02-28T00:00:00.000Z",
    );
    expect(periodStart(anchor, new Date("2026-03-31T12:00:00Z")).toISOString()).toBe(
      "2026-03-31T00:00:00.000Z",
    );
  });
  it("bills whole minutes, rounded up", () => {
    expect([0, 1, 59, 60, 61, 156].map(billedMinutes)).toEqual([0, 1, 1, 1, 2, 3]);
  });
});

describe("crypto helpers", () => {
  it("canonicalJson ignores key order, not array order", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, 1] } })).toBe(
      canonicalJson({ a: { c: [3, 1], d: 2 }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 3] })).not.toBe(canonicalJson({ a: [3, 1] }));
  });
  it("randomBase62 gives the asked length from the alphabet", () => {
    const s = randomBase62(500);
    expect(s).toMatch(/^[0-9A-Za-z]{500}$/);
  });
});
