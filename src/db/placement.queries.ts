/**
 * Everything placement needs to know about the account, in one D1 round trip: which caller ID
 * applies and whether the account owns it, the minutes used and held this billing period, whether
 * the destination is on the account's do-not-call list, and the calls counted against the
 * per-number frequency cap.
 */
import { inArray, sql } from "drizzle-orm";
import { LIVE_STATUSES } from "../domain/call-status";
import { billedMinutesSql } from "./billing-sql";
import type { Db } from "./client";
import { calls } from "./schema";

export type PlacementFacts = {
  /** The requested or key's caller ID, else the account's default number; null if none at all. */
  callerId: string | null;
  owned: boolean;
  usedMinutes: number;
  reservedSec: number;
  /** The destination is on the account's do-not-call list. */
  doNotCall: boolean;
  /**
   * Calls to the destination placed since `dayAgo` that were dialed (the carrier took them) or
   * may still be (not ended yet); calls that ended without reaching the carrier do not count.
   */
  recentToNumber: number;
  /** The oldest of those calls' createdAt. */
  oldestRecentToNumber: string | null;
};

export async function placementFacts(
  db: Db,
  p: { accountId: string; callerId: string | null; since: string; to: string; dayAgo: string },
): Promise<PlacementFacts> {
  const row = await db.get<{
    caller_id: string | null;
    owned: number;
    used_minutes: number;
    reserved_sec: number;
    dnc: number;
    recent: number;
    oldest_recent: string | null;
  }>(sql`
    with chosen as (
      select coalesce(${p.callerId},
        (select number from phone_numbers where account_id = ${p.accountId} and is_default = 1 limit 1)) as caller_id
    )
    select
      chosen.caller_id as caller_id,
      (select count(*) from phone_numbers where account_id = ${p.accountId} and number = chosen.caller_id) as owned,
      (select coalesce(sum(${billedMinutesSql(calls.durationSec)}), 0) from calls
        where account_id = ${p.accountId} and started_at is not null and started_at >= ${p.since}) as used_minutes,
      (select coalesce(sum(reserved_sec), 0) from calls
        where account_id = ${p.accountId} and ${inArray(calls.status, LIVE_STATUSES)}) as reserved_sec,
      (select count(*) from do_not_call where account_id = ${p.accountId} and number = ${p.to}) as dnc,
      recent.n as recent,
      recent.oldest as oldest_recent
    from chosen, (select count(*) as n, min(created_at) as oldest from calls
        where account_id = ${p.accountId} and "to" = ${p.to} and created_at > ${p.dayAgo}
          and (provider_call_id is not null or ${inArray(calls.status, LIVE_STATUSES)})) as recent`);
  return {
    callerId: row?.caller_id ?? null,
    owned: Number(row?.owned ?? 0) > 0,
    usedMinutes: Number(row?.used_minutes ?? 0),
    reservedSec: Number(row?.reserved_sec ?? 0),
    doNotCall: Number(row?.dnc ?? 0) > 0,
    recentToNumber: Number(row?.recent ?? 0),
    oldestRecentToNumber: row?.oldest_recent ?? null,
  };
}
