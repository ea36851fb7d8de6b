/**
 * RateLimiter: one Durable Object per API key, holding the key's sliding window of placements and
 * its running MCP waits (wait_for_call). A Durable Object runs one event at a time, so concurrent
 * bursts are counted exactly (the edge rate-limit binding is approximate), across every isolate of
 * the Worker. State is persisted so an eviction (an idle object is evicted while waits run) does
 * not reset the window or the count.
 */
import { DurableObject } from "cloudflare:workers";
import { type Buckets, type TakeResult, take, WINDOW_SEC } from "../domain/sliding-window";
import { type EnterResult, enter, type Leases, liveLeases } from "../domain/wait-slots";

const KEY = "buckets";
const WAITS = "waits";
/** While anything is kept, the alarm looks again this often to forget what has expired. */
const SWEEP_MS = (WINDOW_SEC + 1) * 1000;

export class RateLimiter extends DurableObject<Env> {
  private buckets: Buckets = [];
  private waits: Leases = {};

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.buckets = (await ctx.storage.get<Buckets>(KEY)) ?? [];
      this.waits = (await ctx.storage.get<Leases>(WAITS)) ?? {};
    });
  }

  async take(limit: number): Promise<TakeResult> {
    const now = Date.now();
    const next = take(this.buckets, limit, now);
    this.buckets = next.buckets;
    if (next.result.ok) {
      await this.ctx.storage.put(KEY, this.buckets);
      await this.sweepLater(now);
    }
    return next.result;
  }

  /** A place for one wait lasting at most `forMs`, if fewer than `limit` are running. */
  async enterWait(limit: number, forMs: number): Promise<EnterResult> {
    const now = Date.now();
    const next = enter(this.waits, limit, now, { id: crypto.randomUUID(), untilMs: now + forMs });
    this.waits = next.leases;
    if (next.result.ok) {
      await this.ctx.storage.put(WAITS, this.waits);
      await this.sweepLater(now);
    }
    return next.result;
  }

  async leaveWait(lease: string): Promise<void> {
    const { [lease]: _left, ...rest } = this.waits;
    this.waits = rest;
    await this.ctx.storage.put(WAITS, this.waits);
  }

  /** Once nothing is kept the object forgets everything, so idle keys cost no storage. */
  async alarm(): Promise<void> {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    this.buckets = this.buckets.filter(([s]) => s > second - WINDOW_SEC);
    this.waits = liveLeases(this.waits, now);
    if (this.buckets.length === 0 && Object.keys(this.waits).length === 0) {
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.ctx.storage.put({ [KEY]: this.buckets, [WAITS]: this.waits });
    await this.ctx.storage.setAlarm(now + SWEEP_MS);
  }

  private async sweepLater(now: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(now + SWEEP_MS);
  }
}

export async function takeRateSlot(
  ns: DurableObjectNamespace<RateLimiter>,
  keyId: string,
  limit: number,
): Promise<TakeResult> {
  return ns.get(ns.idFromName(keyId)).take(limit);
}

/** The key's running waits, counted in its RateLimiter object (see enterWait). */
export function waitSlots(ns: DurableObjectNamespace<RateLimiter>, keyId: string) {
  const limiter = () => ns.get(ns.idFromName(keyId));
  return {
    enter: (limit: number, forMs: number): Promise<EnterResult> =>
      limiter().enterWait(limit, forMs),
    leave: (lease: string): Promise<void> => limiter().leaveWait(lease),
  };
}
