/**
 * Opens the server's own store: embedded SQLite in the data dir by default, PostgreSQL
 * when DATABASE_URL is set. Both run the same migrations at open.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { DEFAULT_MIGRATION_TABLE, Kysely, type KyselyConfig, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider, type SqliteDatabase as SqliteDialectDatabase } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import type { StoreSchema } from './schema.js';
import { inProcessChangeFeed, postgresChangeFeed, type ChangeFeed } from './change-feed.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<StoreSchema>;
  dialect: Dialect;
  /** tells this instance when a write (here or on another instance) changed what it caches */
  changes: ChangeFeed;
  close(): Promise<void>;
}

export interface StoreLocation {
  /** postgres://… or undefined for SQLite */
  databaseUrl: string | undefined;
  /** where gatehouse.sqlite lives when databaseUrl is undefined */
  dataDir: string;
}

export interface StoreOptions {
  /** sees the SQL of every statement the store runs (tests count a use case's statements with it) */
  onQuery?: (sqlText: string) => void;
}

const staticMigrations: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * The store was migrated by a newer build: it holds migrations this build does not know,
 * so this build's queries may not fit its tables. Starting anyway could corrupt it.
 */
export class StoreSchemaNewerError extends Error {
  constructor(readonly unknownMigrations: readonly string[]) {
    super(`the store has migrations this build does not know: ${unknownMigrations.join(', ')}`);
  }
}

/** A migration of this build that failed; `cause` is the driver's error (unreachable, refused, …). */
export class StoreMigrationError extends Error {
  constructor(readonly migrationName: string, cause: unknown) {
    super(`store migration ${migrationName} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export async function openStore(location: StoreLocation, options: StoreOptions = {}): Promise<Store> {
  const store = connectStore(location, options);
  try {
    await migrate(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  if (location.databaseUrl === undefined) return { ...store, changes: inProcessChangeFeed() };
  const db = store.db;
  const changes = await postgresChangeFeed(location.databaseUrl, {
    notify: async (channel, payload) => {
      await sql`SELECT pg_notify(${channel}, ${payload})`.execute(db);
    },
  });
  return {
    ...store,
    changes,
    async close() {
      await changes.close();
      await store.close();
    },
  };
}

/** The store without running migrations: `gatehouse doctor` looks without changing anything. */
export function connectStore(location: StoreLocation, options: StoreOptions = {}): Store {
  // Nothing it reads is cached, so changes announced within this process are all it needs.
  const config = kyselyConfig(options);
  const store = location.databaseUrl ? openPostgres(location.databaseUrl, config) : openSqlite(location.dataDir, config);
  return { ...store, changes: inProcessChangeFeed() };
}

/** Kysely's options besides the dialect; a query logger only when asked for (it times every query). */
function kyselyConfig({ onQuery }: StoreOptions): Omit<KyselyConfig, 'dialect'> {
  if (onQuery === undefined) return {};
  return { log: (event) => onQuery(event.query.sql) };
}

/** Where the embedded store lives in a data dir. */
export const sqliteFile = (dataDir: string): string => path.join(dataDir, 'gatehouse.sqlite');

/**
 * Under the `unshare` sandbox a runtime sees the host's files as `nobody`: a data dir made
 * beforehand with 0755 (by `mkdir`, a volume mount) would leave the SQLite file, created
 * 0644 by the umask, readable to every pool's scripts. Only our own directory is changed;
 * one owned by another user is left as its owner set it.
 */
export function keepDataDirPrivate(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { mode, uid } = statSync(dataDir);
  if (uid === process.getuid?.() && (mode & 0o077) !== 0) chmodSync(dataDir, 0o700);
}

function openSqlite(dataDir: string, config: Omit<KyselyConfig, 'dialect'>): Omit<Store, 'changes'> {
  keepDataDirPrivate(dataDir);
  const database = new SqliteDatabase(sqliteFile(dataDir));
  // WAL lets readers go on while a write commits; busy_timeout waits out a concurrent
  // writer instead of failing at once; foreign keys are off by default in SQLite.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // With WAL, NORMAL syncs at checkpoints rather than at every commit: a power cut can
  // lose the last commits but never corrupts the store, and each login's writes stop
  // waiting on the disk.
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<StoreSchema>({ ...config, dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and the
 * server runs a small, fixed set of query shapes, so they are kept by SQL text.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string) {
      let statement = statements.get(sqlText);
      if (statement === undefined) {
        statement = database.prepare(sqlText);
        // Shapes are bounded by the code, but search keywords are parameters, not text;
        // the cap only guards against a future query that inlines values.
        if (statements.size >= 500) statements.clear();
        statements.set(sqlText, statement);
      }
      return statement;
    },
  };
}

/**
 * The host and port of the PostgreSQL server a store URL connects to, as `pg` itself
 * resolves them (a `host` or `port` query parameter over the authority, PGHOST/PGPORT,
 * then localhost:5432 over TCP): a client is built, never connected, and asked.
 * Undefined for a unix socket, which scripts cannot reach through the egress broker.
 */
export function postgresServerAddress(databaseUrl: string): { host: string; port: number } | undefined {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: databaseUrl });
  } catch {
    return undefined;
  }
  const host = client.host.replace(/^\[|\]$/g, '');
  if (host === '' || host.startsWith('/')) return undefined;
  return { host, port: client.port };
}

function openPostgres(databaseUrl: string, config: Omit<KyselyConfig, 'dialect'>): Omit<Store, 'changes'> {
  // A bounded connect timeout: while the store is down, requests fail fast with 503
  // instead of queueing forever.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection (server restart) emits 'error' on the
  // pool; without a listener that would crash the process. The pool replaces it.
  pool.on('error', () => undefined);
  // A client checked out when its connection dies emits 'error' too, and the pool only
  // listens on idle ones: without this, a store restart mid-query would crash the
  // process. The query in flight still fails (→ 503) and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<StoreSchema>({ ...config, dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

export interface MigrationStatus {
  /** this build's migrations not yet run on the store (they run at the next start) */
  pending: string[];
  /** migrations the store ran that this build does not know: a newer build migrated it */
  unknown: string[];
}

/** Compares the store's executed migrations with this build's, without running any. */
export async function migrationStatus(db: Kysely<StoreSchema>): Promise<MigrationStatus> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const executed = tables.some((table) => table.name === DEFAULT_MIGRATION_TABLE)
    ? (await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db)).rows.map((row) => row.name)
    : [];
  const known = Object.keys(MIGRATIONS);
  return {
    pending: known.filter((name) => !executed.includes(name)),
    unknown: executed.filter((name) => !known.includes(name)).sort(),
  };
}

async function migrate(db: Kysely<StoreSchema>): Promise<void> {
  const { unknown } = await migrationStatus(db);
  if (unknown.length > 0) throw new StoreSchemaNewerError(unknown);
  const migrator = new Migrator({ db, provider: staticMigrations });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new StoreMigrationError(results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown', error);
}

/** True when a write failed on a unique index, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** PostgreSQL error classes that mean "the server is there but will not serve now". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'SQLITE_BUSY']);

/**
 * True when a store operation failed because the store could not be reached or refused
 * to serve (restart, failover, connection limit) rather than because of the query: the
 * request may be retried, and the answer is 503, not 500.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
  return typeof message === 'string' && /Connection terminated|not queryable|connection timeout|timeout exceeded when trying to connect|not currently accepting connections|does not allow connections|the database system is (starting up|shutting down)/i.test(message);
}
