/**
 * RateLimiter: one Durable Object per API key, holding the key's sliding window of placements.
 * A Durable Object runs one event at a time, so concurrent bursts are counted exactly (the edge
 * rate-limit binding is approximate). State is persisted so an eviction does not reset the window.
 */
import { DurableObject } from "cloudflare:workers";
import { type TakeResult, take, WINDOW_MS } from "./sliding-window";

const HITS_KEY = "hits";

export class RateLimiter extends DurableObject<Env> {
  private hits: number[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.hits = (await ctx.storage.get<number[]>(HITS_KEY)) ?? [];
    });
  }

  async take(limit: number): Promise<TakeResult> {
    const now = Date.now();
    const next = take(this.hits, limit, now);
    this.hits = next.hits;
    if (next.result.ok) {
      await this.ctx.storage.put(HITS_KEY, this.hits);
      await this.ctx.storage.setAlarm(now + WINDOW_MS + 1000);
    }
    return next.result;
  }

  /** Once the window is empty the object forgets everything, so idle keys cost no storage. */
  async alarm(): Promise<void> {
    const now = Date.now();
    this.hits = this.hits.filter((t) => t > now - WINDOW_MS);
    if (this.hits.length === 0) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(now + WINDOW_MS + 1000);
  }
}

export async function takeRateSlot(
  ns: DurableObjectNamespace<RateLimiter>,
  keyId: string,
  limit: number,
): Promise<TakeResult> {
  return ns.get(ns.idFromName(keyId)).take(limit);
}
