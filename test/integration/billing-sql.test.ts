/**
 * The billing rule is written twice: `billedMinutes` (TypeScript) and `billedMinutesSql` (the
 * SQL that D1 sums for usage and the minute cap). This runs both over the same durations in D1.
 */
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { billedMinutesSql } from "../../src/db/billing-sql";
import { makeDb } from "../../src/db/client";
import { billedMinutes } from "../../src/domain/billing";

const DURATIONS = [-3601, -61, -60, -1, 0, 1, 59, 60, 61, 119, 120, 121, 156, 3599, 3600, 3601];

describe("billedMinutesSql", () => {
  it("bills the same minutes as billedMinutes for every duration", async () => {
    const db = makeDb(env.DB);
    for (const durationSec of DURATIONS) {
      // `cast(… as integer)`: duration_sec is an INTEGER column, so D1 holds whole seconds.
      const row = await db.get<{ minutes: number }>(
        sql`select ${billedMinutesSql(sql.identifier("duration_sec"))} as minutes
            from (select cast(${durationSec} as integer) as duration_sec)`,
      );
      expect({ durationSec, minutes: row.minutes }).toEqual({
        durationSec,
        minutes: billedMinutes(durationSec),
      });
    }
  });

  it("leaves an unanswered call (null duration) out of the sum", async () => {
    const row = await makeDb(env.DB).get<{ minutes: number | null }>(
      sql`select ${billedMinutesSql(sql.identifier("duration_sec"))} as minutes
          from (select null as duration_sec)`,
    );
    expect(row.minutes).toBeNull();
  });
});
