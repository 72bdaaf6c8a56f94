/** Queries of the login_failures table: atomic counters per key in a fixed window. */
import { sql, type Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

export interface FailureWindow {
  failures: number;
  windowStart: number;
}

export interface LoginFailuresRepository {
  /** The current window of each key that has one (expired windows included; the caller judges). */
  get(poolId: string, keys: string[]): Promise<Map<string, FailureWindow>>;
  /**
   * Counts one failure for each key in one statement per key: a window older than
   * `windowMs` restarts at 1, so racing requests on any instance never lose a count.
   */
  record(poolId: string, keys: string[], now: number, windowMs: number): Promise<void>;
  clear(poolId: string, key: string): Promise<void>;
}

export function loginFailuresRepository(db: Kysely<StoreSchema>): LoginFailuresRepository {
  return {
    async get(poolId, keys) {
      if (keys.length === 0) return new Map();
      const rows = await db
        .selectFrom('login_failures')
        .select(['key', 'failures', 'window_start'])
        .where('pool_id', '=', poolId)
        .where('key', 'in', keys)
        .execute();
      return new Map(rows.map((row) => [row.key, { failures: Number(row.failures), windowStart: Number(row.window_start) }]));
    },
    async record(poolId, keys, now, windowMs) {
      const expired = now - windowMs;
      for (const key of keys) {
        await db
          .insertInto('login_failures')
          .values({ pool_id: poolId, key, window_start: now, failures: 1 })
          .onConflict((oc) =>
            oc.columns(['pool_id', 'key']).doUpdateSet({
              failures: sql<number>`case when login_failures.window_start < ${expired} then 1 else login_failures.failures + 1 end`,
              window_start: sql<number>`case when login_failures.window_start < ${expired} then ${now} else login_failures.window_start end`,
            }),
          )
          .execute();
      }
    },
    async clear(poolId, key) {
      await db.deleteFrom('login_failures').where('pool_id', '=', poolId).where('key', '=', key).execute();
    },
  };
}
