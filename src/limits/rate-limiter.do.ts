/**
 * RateLimiter: one Durable Object per API key, holding the key's sliding window of placements.
 * A Durable Object runs one event at a time, so concurrent bursts are counted exactly (the edge
 * rate-limit binding is approximate). State is persisted so an eviction does not reset the window.
 */
import { DurableObject } from "cloudflare:workers";
import { type Buckets, type TakeResult, take, WINDOW_SEC } from "../domain/sliding-window";

const KEY = "buckets";

export class RateLimiter extends DurableObject<Env> {
  private buckets: Buckets = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.buckets = (await ctx.storage.get<Buckets>(KEY)) ?? [];
    });
  }

  async take(limit: number): Promise<TakeResult> {
    const now = Date.now();
    const next = take(this.buckets, limit, now);
    this.buckets = next.buckets;
    if (next.result.ok) {
      await this.ctx.storage.put(KEY, this.buckets);
      if (next.buckets.length === 1) await this.ctx.storage.setAlarm(now + (WINDOW_SEC + 1) * 1000);
    }
    return next.result;
  }

  /** Once the window is empty the object forgets everything, so idle keys cost no storage. */
  async alarm(): Promise<void> {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    this.buckets = this.buckets.filter(([s]) => s > second - WINDOW_SEC);
    if (this.buckets.length === 0) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(now + (WINDOW_SEC + 1) * 1000);
  }
}

export async function takeRateSlot(
  ns: DurableObjectNamespace<RateLimiter>,
  keyId: string,
  limit: number,
): Promise<TakeResult> {
  return ns.get(ns.idFromName(keyId)).take(limit);
}
