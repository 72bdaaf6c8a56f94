/** Queries of the custom database connection and its connection log. */
import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { CustomDbConnectionsTable, StoreSchema } from './schema.js';

export interface ConnectionLogEntry {
  at: string;
  script: string;
  outcome: string;
  durationMs: number;
  message: string;
}

/** How many log entries are kept per pool; older ones are pruned as new ones arrive. */
export const CONNECTION_LOG_LIMIT = 500;

export type StoredConnection = Selectable<CustomDbConnectionsTable>;

export interface CustomDbRepository {
  get(poolId: string): Promise<StoredConnection | undefined>;
  /** Only the revision: what a request reads to learn whether its cached copy is current. */
  revision(poolId: string): Promise<number | undefined>;
  save(row: Insertable<CustomDbConnectionsTable>): Promise<void>;
  appendLogs(entries: { poolId: string; entry: ConnectionLogEntry }[]): Promise<void>;
  listLogs(poolId: string, limit: number): Promise<ConnectionLogEntry[]>;
}

export function customDbRepository(db: Kysely<StoreSchema>): CustomDbRepository {
  let appendsSincePrune = 0;
  return {
    async get(poolId) {
      return db.selectFrom('custom_db_connections').selectAll().where('pool_id', '=', poolId).executeTakeFirst();
    },
    async revision(poolId) {
      const row = await db
        .selectFrom('custom_db_connections')
        .select('revision')
        .where('pool_id', '=', poolId)
        .executeTakeFirst();
      return row === undefined ? undefined : Number(row.revision);
    },
    async save(row) {
      const { pool_id: _poolId, revision: _revision, ...changes } = row;
      await db
        .insertInto('custom_db_connections')
        .values({ ...row, revision: 1 })
        .onConflict((oc) =>
          oc.column('pool_id').doUpdateSet({ ...changes, revision: sql<number>`custom_db_connections.revision + 1` }),
        )
        .execute();
    },
    async appendLogs(entries) {
      if (entries.length === 0) return;
      // One statement per batch: the log is written behind requests and must stay cheap.
      await db
        .insertInto('connection_logs')
        .values(
          entries.map(({ poolId, entry }) => ({
            id: randomUUID(),
            pool_id: poolId,
            at: entry.at,
            script: entry.script,
            outcome: entry.outcome,
            duration_ms: Math.round(entry.durationMs),
            message: entry.message,
          })),
        )
        .execute();
      appendsSincePrune += entries.length;
      if (appendsSincePrune < 50) return;
      // Pruning on every append would double the writes; every ~50 entries keeps each
      // pool's log near its bound.
      appendsSincePrune = 0;
      for (const poolId of new Set(entries.map((e) => e.poolId))) {
        const cutoff = await db
          .selectFrom('connection_logs')
          .select('at')
          .where('pool_id', '=', poolId)
          .orderBy('at', 'desc')
          .offset(CONNECTION_LOG_LIMIT)
          .limit(1)
          .executeTakeFirst();
        if (cutoff) {
          await db.deleteFrom('connection_logs').where('pool_id', '=', poolId).where('at', '<=', cutoff.at).execute();
        }
      }
    },
    async listLogs(poolId, limit) {
      const rows = await db
        .selectFrom('connection_logs')
        .selectAll()
        .where('pool_id', '=', poolId)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        at: row.at,
        script: row.script,
        outcome: row.outcome,
        durationMs: Number(row.duration_ms),
        message: row.message,
      }));
    },
  };
}
