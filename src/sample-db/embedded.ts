/**
 * The embedded sample database behind `npm run sample-db`: PGlite (PostgreSQL compiled to
 * WebAssembly, no service to install) served over the PostgreSQL wire protocol on a local
 * port, seeded with the sample schema and users by the same `seedPostgres` that seeds a real
 * PostgreSQL, over the same wire.
 *
 * Memory: a fresh PGlite runs initdb in a second WebAssembly instance, which leaves the
 * process at ~800 MB RSS for good. So the initialised (empty) cluster is made once in a
 * short-lived child process and cached as a tarball in node_modules/.cache; every start
 * loads that tarball into one instance (~1.5 s) and stays near 300 MB. PostgreSQL's
 * shared_buffers is lowered from PGlite's 128 MB to 16 MB, plenty for 100 users.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { startPgliteServer } from './pglite-server.js';
import { seedPostgres, type SeedResult } from './seed.js';

export interface EmbeddedSampleDbOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** Keep the database in this directory across restarts; in memory when absent. */
  readonly dataDir?: string;
  /** See PgliteServerOptions; tests shorten it. */
  readonly idleInTransactionTimeoutMs?: number;
  /** Progress lines for a person (the CLI sends them to stderr). */
  readonly log?: (line: string) => void;
}

export interface EmbeddedSampleDb {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: what a pg client or template connects with. */
  readonly uri: string;
  readonly host: string;
  readonly port: number;
  readonly seeded: SeedResult;
  /** Stops listening, drops the connections and closes the database. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const PGLITE_ENTRY = require.resolve('@electric-sql/pglite');
// <root>/node_modules/@electric-sql/pglite/dist/index.cjs
const PGLITE_DIR = path.resolve(path.dirname(PGLITE_ENTRY), '..');
const PGLITE_VERSION = (JSON.parse(readFileSync(path.join(PGLITE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const CACHE_DIR = path.resolve(PGLITE_DIR, '..', '..', '.cache', 'gatehouse-sample-db');
const SNAPSHOT = path.join(CACHE_DIR, `pglite-${PGLITE_VERSION}-initdb.tar.gz`);

const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** Plain CommonJS for `node -e`: needs no TypeScript loader. argv: pglite entry, output file. */
const MAKE_SNAPSHOT = `
const fs = require('node:fs');
const [entry, out] = process.argv.slice(1);
const { PGlite } = require(entry);
(async () => {
  const db = await PGlite.create();
  const blob = await db.dumpDataDir('gzip');
  const partial = out + '.' + process.pid + '.partial';
  fs.writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
  fs.renameSync(partial, out);
  await db.close();
})().catch((error) => {
  console.error(error && error.message ? error.message : String(error));
  process.exit(1);
});`;

async function makeSnapshot(log: (line: string) => void): Promise<void> {
  log('Initialising the embedded PostgreSQL once (about 10 s; cached in node_modules/.cache) …');
  try {
    // The child writes a partial file and renames it, so a reader never sees half a tarball.
    await promisify(execFile)(process.execPath, ['-e', MAKE_SNAPSHOT, PGLITE_ENTRY, SNAPSHOT], { timeout: 120_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`could not initialise PGlite: ${stderr || (error as Error).message}`);
  }
}

/**
 * Makes the snapshot unless it exists. Starters racing on a fresh clone (parallel test files)
 * take turns through a lock file, so only one runs the memory-hungry initdb.
 */
async function ensureSnapshot(log: (line: string) => void): Promise<void> {
  if (existsSync(SNAPSHOT)) return;
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = `${SNAPSHOT}.lock`;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      if (existsSync(SNAPSHOT)) return;
      // A builder that died leaves its lock behind; initdb never takes this long.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 180_000) rmSync(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (!existsSync(SNAPSHOT)) await makeSnapshot(log);
  } finally {
    rmSync(lock, { force: true });
  }
}

async function openDatabase(dataDir: string | undefined, log: (line: string) => void): Promise<PGlite> {
  if (dataDir !== undefined) {
    if (existsSync(path.join(dataDir, 'PG_VERSION'))) return PGlite.create({ dataDir, startParams: START_PARAMS });
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new Error(`--data-dir ${dataDir} is not empty and holds no database; give a new or empty directory`);
    }
  }
  for (let attempt = 0; ; attempt += 1) {
    await ensureSnapshot(log);
    try {
      if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
      return await PGlite.create({
        ...(dataDir === undefined ? {} : { dataDir }),
        loadDataDir: new Blob([readFileSync(SNAPSHOT)]),
        startParams: START_PARAMS,
      });
    } catch (error) {
      // A damaged cache (an interrupted write): make it again, once. A data dir the failed
      // attempt wrote into is left alone (it is the user's); that attempt's error stands.
      if (attempt > 0 || dataDir !== undefined) throw error;
      rmSync(SNAPSHOT, { force: true });
    }
  }
}

export async function startEmbeddedSampleDb(options: EmbeddedSampleDbOptions): Promise<EmbeddedSampleDb> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  // Take the port before the seconds of opening the database, so a busy port fails at once.
  let opened: (db: PGlite) => void = () => undefined;
  const database = new Promise<PGlite>((resolve) => {
    opened = resolve;
  });
  const server = await startPgliteServer({
    db: database,
    port: options.port,
    host,
    ...(options.idleInTransactionTimeoutMs === undefined ? {} : { idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs }),
  });
  let db: PGlite;
  try {
    db = await openDatabase(options.dataDir, log);
  } catch (error) {
    await server.close();
    throw error;
  }
  opened(db);
  const uriHost = host.includes(':') ? `[${host}]` : host;
  const uri = `postgres://postgres@${uriHost}:${String(server.port)}/postgres`;
  const close = async () => {
    await server.close();
    if (!db.closed) await db.close();
  };
  try {
    const seeded = await seedPostgres(uri);
    return { uri, host, port: server.port, seeded, close };
  } catch (error) {
    await close();
    throw error;
  }
}
