/**
 * Opens the server's own store: embedded SQLite in the data dir by default, PostgreSQL
 * when DATABASE_URL is set. Both run the same migrations at open.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import type { StoreSchema } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<StoreSchema>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface StoreLocation {
  /** postgres://… or undefined for SQLite */
  databaseUrl: string | undefined;
  /** where gatehouse.sqlite lives when databaseUrl is undefined */
  dataDir: string;
}

const staticMigrations: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function openStore(location: StoreLocation): Promise<Store> {
  const store = location.databaseUrl ? openPostgres(location.databaseUrl) : openSqlite(location.dataDir);
  try {
    await migrate(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(path.join(dataDir, 'gatehouse.sqlite'));
  // WAL lets readers go on while a write commits; busy_timeout waits out a concurrent
  // writer instead of failing at once; foreign keys are off by default in SQLite.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<StoreSchema>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

function openPostgres(databaseUrl: string): Store {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle client that loses its connection (server restart) emits 'error' on the
  // pool; without a listener that would crash the process. The pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

async function migrate(db: Kysely<StoreSchema>): Promise<void> {
  const migrator = new Migrator({ db, provider: staticMigrations });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** True when a write failed on a unique index, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
