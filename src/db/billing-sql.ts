/**
 * The billing rule in SQL, for the sums D1 runs over many calls at once (usage, the minute cap).
 * It mirrors `billedMinutes` in src/domain/billing.ts: answered seconds are billed in whole
 * minutes per call, rounded up, and a negative duration bills nothing. test/integration/
 * billing-sql.test.ts runs both over a table of durations so the two cannot drift.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * Billed minutes of one call, given its `duration_sec` column. Integer division in SQLite
 * truncates, so `(s + 59) / 60` is ceil(s / 60) for whole seconds ≥ 0. A NULL duration (never
 * answered) stays NULL, so `sum()` skips it.
 */
export function billedMinutesSql(durationSec: SQLWrapper): SQL<number> {
  return sql<number>`((max(0, ${durationSec}) + 59) / 60)`;
}
