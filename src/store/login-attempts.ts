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
   * restarts at 1.
   */
  count(poolId: string, keys: string[], now: number, windowMs: number): Promise<AttemptWindow[]>;
  /** In one statement: each `reset` key goes to 0 attempts; each `giveBack` key loses one. */
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
        .values(keys.map((key) => ({ pool_id: poolId, key, window_start: now, attempts: 1 })))
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
      if (reset.length === 0 && giveBack.length === 0) return;
      // never below 0: a success's reset may have come between a count and its give-back
      const lessOne = sql<number>`case when attempts > 0 then attempts - 1 else 0 end`;
      await db
        .updateTable('login_attempts')
        .set({
          attempts: reset.length === 0 ? lessOne : sql<number>`case when key in (${sql.join(reset)}) then 0 else ${lessOne} end`,
        })
        .where('pool_id', '=', poolId)
        .where((eb) =>
          eb.or([
            ...(reset.length === 0 ? [] : [eb('key', 'in', reset)]),
            ...giveBack.map(({ key, windowStart }) => eb.and([eb('key', '=', key), eb('window_start', '=', windowStart)])),
          ]),
        )
        .execute();
    },
  };
}
