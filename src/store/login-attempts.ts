/**
 * Queries of the login_attempts table: a counter per key (an account or a client
 * address) in a fixed window. Every change is one statement that reads and writes the
 * row under the database's own row lock (PostgreSQL) or write lock (SQLite), so racing
 * requests on any number of instances never lose or double a count.
 */
import { sql, type Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';
import type { Dialect } from './database.js';
import { preparedByShape, prepareQuery } from './prepared-query.js';

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
   * Each `reset` key goes to 0 attempts; each `giveBack` key loses one. On PostgreSQL one
   * statement per key, so none holds two rows' locks: a statement locking the account then
   * the address would deadlock with one locking them the other way round. On SQLite one
   * statement for all of them (statements there never run concurrently).
   */
  settle(poolId: string, changes: { reset: string[]; giveBack: GiveBack[] }): Promise<void>;
}

export function loginAttemptsRepository(db: Kysely<StoreSchema>, dialect: Dialect): LoginAttemptsRepository {
  // One prepared query per number of keys (one or two in practice); the keys go in sorted.
  const countOf = preparedByShape((keyCount) =>
    prepareQuery(db, 3 + Number(keyCount), (poolId: string, now: number, expired: number, ...keys: string[]) =>
      db
        .insertInto('login_attempts')
        .values(keys.map((key) => ({ pool_id: poolId, key, window_start: now, attempts: 1 })))
        // SET expressions all see the row as it was before this statement, so both read the old window_start.
        .onConflict((oc) =>
          oc.columns(['pool_id', 'key']).doUpdateSet({
            attempts: sql<number>`case when login_attempts.window_start <= ${expired} then 1 else login_attempts.attempts + 1 end`,
            window_start: sql<number>`case when login_attempts.window_start <= ${expired} then ${now} else login_attempts.window_start end`,
          }),
        )
        .returning(['key', 'attempts', 'window_start']),
    ),
  );

  const reset = prepareQuery(db, 2, (poolId: string, key: string) =>
    db.updateTable('login_attempts').where('pool_id', '=', poolId).where('key', '=', key).set({ attempts: 0 }),
  );
  // never below 0: a success's reset may have come between a count and its give-back
  const giveBack = prepareQuery(db, 3, (poolId: string, key: string, windowStart: number) =>
    db
      .updateTable('login_attempts')
      .where('pool_id', '=', poolId)
      .where('key', '=', key)
      .where('window_start', '=', windowStart)
      .set({ attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end` }),
  );

  /**
   * SQLite: a settle is one statement, so one commit (and one WAL frame) instead of one per
   * key. Every statement there runs alone on the one connection, so it cannot deadlock; a
   * key both reset and given back ends at 0, as the two statements in turn would leave it.
   */
  const settleAtOnce = preparedByShape((shape) => {
    const [resetCount = 0, giveBackCount = 0] = shape.split(':').map(Number);
    return prepareQuery(db, 1 + resetCount + 2 * giveBackCount, (poolId: string, ...values: Array<string | number>) => {
      // Marker values while the query is built: passed on as they are, never converted.
      const resetKeys = values.slice(0, resetCount) as string[];
      const givenBack = Array.from({ length: giveBackCount }, (_, i) => ({
        key: values[resetCount + 2 * i] as string,
        windowStart: values[resetCount + 2 * i + 1] as number,
      }));
      return db
        .updateTable('login_attempts')
        .set((eb) => ({
          attempts:
            resetKeys.length === 0
              ? sql<number>`case when attempts > 0 then attempts - 1 else 0 end`
              : sql<number>`case when ${eb.or(resetKeys.map((key) => eb('key', '=', key)))} then 0 when attempts > 0 then attempts - 1 else 0 end`,
        }))
        .where('pool_id', '=', poolId)
        .where((eb) =>
          eb.or([
            ...resetKeys.map((key) => eb('key', '=', key)),
            ...givenBack.map(({ key, windowStart }) => eb.and([eb('key', '=', key), eb('window_start', '=', windowStart)])),
          ]),
        );
    });
  });

  return {
    async count(poolId, keys, now, windowMs) {
      if (keys.length === 0) return [];
      const rows = await countOf(String(keys.length))(poolId, now, now - windowMs, ...[...keys].sort());
      return rows.map((row) => ({ key: row.key, attempts: Number(row.attempts), windowStart: Number(row.window_start) }));
    },
    async settle(poolId, changes) {
      if (changes.reset.length === 0 && changes.giveBack.length === 0) return;
      if (dialect === 'sqlite') {
        await settleAtOnce(`${changes.reset.length}:${changes.giveBack.length}`)(
          poolId,
          ...changes.reset,
          ...changes.giveBack.flatMap(({ key, windowStart }) => [key, windowStart]),
        );
        return;
      }
      await Promise.all([
        ...changes.reset.map((key) => reset(poolId, key)),
        ...changes.giveBack.map(({ key, windowStart }) => giveBack(poolId, key, windowStart)),
      ]);
    },
  };
}
