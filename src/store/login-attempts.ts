/**
 * Queries of the login_attempts table: a counter per key (an account or a client
 * address) in a fixed window. Every change is one statement that reads and writes the
 * row under the database's own row lock (PostgreSQL) or write lock (SQLite), so racing
 * requests on any number of instances never lose or double a count.
 */
import { sql, type Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

export interface AttemptWindow {
  key: string;
  /** attempts in the window, this one included */
  attempts: number;
  /** epoch milliseconds */
  windowStart: number;
}

/** A key whose counted attempt is given back, but only while its window is the one it was counted in. */
export interface GiveBack {
  key: string;
  windowStart: number;
}

export interface LoginAttemptsRepository {
  /**
   * Counts one attempt for each key, all in one statement, and answers each key's
   * window after the count. A window that started `windowMs` or more before `now`
   * restarts at 1. The rows are written (and locked) in key order, so two counts that
   * race over the same keys wait for each other instead of deadlocking.
   */
  count(poolId: string, keys: string[], now: number, windowMs: number): Promise<AttemptWindow[]>;
  /**
   * Each `reset` key goes to 0 attempts; each `giveBack` key loses one. One statement per
   * key, so none holds two rows' locks: on PostgreSQL a statement locking the account then
   * the address would deadlock with one locking them the other way round.
   */
  settle(poolId: string, changes: { reset: string[]; giveBack: GiveBack[] }): Promise<void>;
}

export function loginAttemptsRepository(db: Kysely<StoreSchema>): LoginAttemptsRepository {
  return {
    async count(poolId, keys, now, windowMs) {
      if (keys.length === 0) return [];
      const expired = now - windowMs;
      // SET expressions all see the row as it was before this statement, so both read the old window_start.
      const rows = await db
        .insertInto('login_attempts')
        .values([...keys].sort().map((key) => ({ pool_id: poolId, key, window_start: now, attempts: 1 })))
        .onConflict((oc) =>
          oc.columns(['pool_id', 'key']).doUpdateSet({
            attempts: sql<number>`case when login_attempts.window_start <= ${expired} then 1 else login_attempts.attempts + 1 end`,
            window_start: sql<number>`case when login_attempts.window_start <= ${expired} then ${now} else login_attempts.window_start end`,
          }),
        )
        .returning(['key', 'attempts', 'window_start'])
        .execute();
      return rows.map((row) => ({ key: row.key, attempts: Number(row.attempts), windowStart: Number(row.window_start) }));
    },
    async settle(poolId, { reset, giveBack }) {
      const row = (key: string) => db.updateTable('login_attempts').where('pool_id', '=', poolId).where('key', '=', key);
      await Promise.all([
        ...reset.map((key) => row(key).set({ attempts: 0 }).execute()),
        // never below 0: a success's reset may have come between a count and its give-back
        ...giveBack.map(({ key, windowStart }) =>
          row(key)
            .where('window_start', '=', windowStart)
            .set({ attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end` })
            .execute(),
        ),
      ]);
    },
  };
}
