/**
 * The drizzle handle over D1, and the one place that turns a storage failure into `store_error`.
 */
import { drizzle } from "drizzle-orm/d1";
import { ApiError } from "../errors";
import * as schema from "./schema";

export type Db = ReturnType<typeof makeDb>;

export function makeDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** Runs a storage step; any failure that is not already an ApiError becomes 503 store_error. */
export async function store<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError("store_error", { cause: e });
  }
}
