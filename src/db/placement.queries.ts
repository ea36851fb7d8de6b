/**
 * Everything placement needs to know about the account, in one D1 round trip: which caller ID
 * applies and whether the account owns it, and the minutes used and held this billing period.
 */
import { sql } from "drizzle-orm";
import type { Db } from "./client";

export type PlacementFacts = {
  /** The requested or key's caller ID, else the account's default number; null if none at all. */
  callerId: string | null;
  owned: boolean;
  usedMinutes: number;
  reservedSec: number;
};

export async function placementFacts(
  db: Db,
  p: { accountId: string; callerId: string | null; since: string },
): Promise<PlacementFacts> {
  const row = await db.get<{
    caller_id: string | null;
    owned: number;
    used_minutes: number;
    reserved_sec: number;
  }>(sql`
    with chosen as (
      select coalesce(${p.callerId},
        (select number from phone_numbers where account_id = ${p.accountId} and is_default = 1 limit 1)) as caller_id
    )
    select
      chosen.caller_id as caller_id,
      (select count(*) from phone_numbers where account_id = ${p.accountId} and number = chosen.caller_id) as owned,
      (select coalesce(sum((duration_sec + 59) / 60), 0) from calls
        where account_id = ${p.accountId} and started_at is not null and started_at >= ${p.since}) as used_minutes,
      (select coalesce(sum(reserved_sec), 0) from calls
        where account_id = ${p.accountId} and status in ('queued', 'dialing', 'in_progress')) as reserved_sec
    from chosen`);
  return {
    callerId: row?.caller_id ?? null,
    owned: Number(row?.owned ?? 0) > 0,
    usedMinutes: Number(row?.used_minutes ?? 0),
    reservedSec: Number(row?.reserved_sec ?? 0),
  };
}
