/** Queries of the custom database connection, its versions and its connection log. */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { CustomDbConnectionsTable, CustomDbVersionsTable, SealedConnectionColumns, StoreSchema } from './schema.js';

export interface ConnectionLogEntry {
  at: string;
  script: string;
  outcome: string;
  durationMs: number;
  message: string;
}

/** How many log entries are kept per pool; older ones are pruned as new ones arrive. */
export const CONNECTION_LOG_LIMIT = 500;

/**
 * Versions kept per pool: the newest ones; older ones are pruned by the save that passes
 * the bound. Generous for a connection edited by hand, and it keeps the table's size a
 * fixed multiple of the number of pools whatever a script that saves in a loop does.
 */
export const CONNECTION_VERSIONS_KEPT = 100;

export type StoredConnection = Selectable<CustomDbConnectionsTable>;
export type StoredVersion = Selectable<CustomDbVersionsTable>;

export interface VersionSummary {
  version: number;
  savedAt: string;
  savedBy: { keyId: string; name: string };
  note: string | null;
}

export interface ConnectionSave {
  poolId: string;
  sealed: SealedConnectionColumns;
  savedAt: string;
  savedBy: { keyId: string; name: string };
  note: string | null;
  /**
   * The revision the saver last read (its If-Match; 0 for a pool never configured): the
   * save happens only if it is still the current one. Undefined saves over whatever is there.
   */
  expectedRevision?: number;
}

export type SaveOutcome = { saved: true; revision: number; version: number } | { saved: false };

export interface CustomDbRepository {
  get(poolId: string): Promise<StoredConnection | undefined>;
  /** Only the revision: what a request reads to learn whether its cached copy is current. */
  revision(poolId: string): Promise<number | undefined>;
  /**
   * Saves the connection and records it as the pool's next version, in one transaction;
   * `saved: false` when `expectedRevision` is no longer current (nothing is written).
   * Race contract: of two saves expecting the same revision, exactly one is saved, on any
   * number of instances; saves without an expectation each get their own version number.
   */
  save(save: ConnectionSave): Promise<SaveOutcome>;
  /** Newest first. */
  listVersions(poolId: string, page: number, limit: number): Promise<{ totalCount: number; list: VersionSummary[] }>;
  getVersion(poolId: string, version: number): Promise<StoredVersion | undefined>;
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
    async save({ poolId, sealed, savedAt, savedBy, note, expectedRevision }) {
      const columns = { ...sealed, updated_at: savedAt };
      return db.transaction().execute(async (trx): Promise<SaveOutcome> => {
        let written: bigint;
        if (expectedRevision === undefined) {
          await trx
            .insertInto('custom_db_connections')
            .values({ pool_id: poolId, ...columns, revision: 1 })
            .onConflict((oc) =>
              oc.column('pool_id').doUpdateSet({ ...columns, revision: sql<number>`custom_db_connections.revision + 1` }),
            )
            .execute();
          written = 1n;
        } else if (expectedRevision === 0) {
          // Never saved, as the saver read it: only the first of racing first saves inserts.
          const inserted = await trx
            .insertInto('custom_db_connections')
            .values({ pool_id: poolId, ...columns, revision: 1 })
            .onConflict((oc) => oc.column('pool_id').doNothing())
            .executeTakeFirst();
          written = inserted.numInsertedOrUpdatedRows ?? 0n;
        } else {
          // Compare-and-set in the database: the row lock (PostgreSQL) or the single writer
          // (SQLite) makes the second of two racing saves see the first one's revision.
          const updated = await trx
            .updateTable('custom_db_connections')
            .set({ ...columns, revision: sql<number>`revision + 1` })
            .where('pool_id', '=', poolId)
            .where('revision', '=', expectedRevision)
            .executeTakeFirst();
          written = updated.numUpdatedRows;
        }
        if (written === 0n) return { saved: false };
        const { revision } = await trx
          .selectFrom('custom_db_connections')
          .select('revision')
          .where('pool_id', '=', poolId)
          .executeTakeFirstOrThrow();
        // Read after the connection row is written (and locked): a racing save waits for
        // this transaction and then sees its version.
        const latest = await trx
          .selectFrom('custom_db_versions')
          .select((eb) => eb.fn.max('version').as('latest'))
          .where('pool_id', '=', poolId)
          .executeTakeFirst();
        const version = Number(latest?.latest ?? 0) + 1;
        await trx
          .insertInto('custom_db_versions')
          .values({
            pool_id: poolId,
            version,
            saved_at: savedAt,
            saved_by_key_id: savedBy.keyId,
            saved_by_name: savedBy.name,
            note,
            ...sealed,
          })
          .execute();
        await trx
          .deleteFrom('custom_db_versions')
          .where('pool_id', '=', poolId)
          .where('version', '<=', version - CONNECTION_VERSIONS_KEPT)
          .execute();
        return { saved: true, revision: Number(revision), version };
      });
    },
    async listVersions(poolId, page, limit) {
      const [count, rows] = await Promise.all([
        db
          .selectFrom('custom_db_versions')
          .select((eb) => eb.fn.countAll().as('count'))
          .where('pool_id', '=', poolId)
          .executeTakeFirst(),
        db
          .selectFrom('custom_db_versions')
          .select(['version', 'saved_at', 'saved_by_key_id', 'saved_by_name', 'note'])
          .where('pool_id', '=', poolId)
          .orderBy('version', 'desc')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
      ]);
      return {
        totalCount: Number(count?.count ?? 0),
        list: rows.map((row) => ({
          version: Number(row.version),
          savedAt: row.saved_at,
          savedBy: { keyId: row.saved_by_key_id, name: row.saved_by_name },
          note: row.note,
        })),
      };
    },
    async getVersion(poolId, version) {
      return db
        .selectFrom('custom_db_versions')
        .selectAll()
        .where('pool_id', '=', poolId)
        .where('version', '=', version)
        .executeTakeFirst();
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
