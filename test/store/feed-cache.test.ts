/**
 * Connection revisions and pools answered from memory (src/store/revision-cache.ts,
 * pool-cache.ts, feed-cache.ts) over the store's change feed (src/store/change-feed.ts):
 * no store read while nothing changed, a save seen at once (on PostgreSQL, by another
 * instance on the same store), reads through while the PostgreSQL listener is down, and an
 * age bound for changes the feed cannot see.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.js';
import { customDbRepository, type ConnectionSave, type CustomDbRepository } from '../../src/store/custom-db.js';
import { poolsRepository } from '../../src/store/pools.js';
import { withPoolCache } from '../../src/store/pool-cache.js';
import { withRevisionCache } from '../../src/store/revision-cache.js';
import { POSTGRES_ADMIN_URL, createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { describeEachDialect } from '../support/dialects.js';

/** The real repository, with its revision reads counted. */
function counted(store: Store): { repository: CustomDbRepository; reads: () => number } {
  const real = customDbRepository(store.db);
  let reads = 0;
  return {
    repository: {
      ...real,
      revision: (poolId) => {
        reads++;
        return real.revision(poolId);
      },
    },
    reads: () => reads,
  };
}

const row = (poolId: string, timeoutMs: number): ConnectionSave => ({
  poolId,
  sealed: {
    enabled: 1,
    mode: 'CUSTOM_USER_STORE',
    dialect: 'gatehouse',
    connection: null,
    env: '{}',
    scripts: '{}',
    timeout_ms: timeoutMs,
    allowed_hosts: '[]',
    max_concurrency: 50,
    breaker_threshold: 5,
    breaker_cooldown_ms: 30_000,
  },
  savedAt: new Date().toISOString(),
  savedBy: { keyId: 'owner', name: 'owner' },
  note: null,
});

/**
 * Resolves when `store`'s feed has heard of `key`: another instance gets a notice when the
 * store sends it, a moment after the writer's own copy came back; a request reaching it
 * over the network after the writer answered finds it there.
 */
function noticed(store: Store, topic: 'custom_db' | 'pools', key: string): Promise<void> {
  return new Promise((resolve) => store.changes.subscribe(topic, (changed) => changed === key && resolve()));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeEachDialect('connection revisions from memory', (dialect) => {
  let database: TestDatabase | undefined;
  const dirs: string[] = [];
  /** Two instances on one PostgreSQL store; on SQLite, one store (it belongs to one process) opened once. */
  let here: Store;
  let there: Store;
  let poolId: string;

  const open = async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-revisions-'));
    dirs.push(dataDir);
    return openStore({ databaseUrl: database?.url, dataDir: dirs[0] ?? dataDir });
  };

  beforeAll(async () => {
    if (dialect === 'postgres') database = await createPostgresDatabase();
    here = await open();
    there = dialect === 'postgres' ? await open() : here;
  });
  afterAll(async () => {
    await here.close();
    if (there !== here) await there.close();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    poolId = (await poolsRepository(here.db).create({ name: 'revisions', metadata: {} })).id;
  });

  it('reads the revision once while nothing changes', async () => {
    const { repository, reads } = counted(here);
    const cached = withRevisionCache(repository, here.changes);
    expect(await cached.revision(poolId)).toBeUndefined();
    await cached.save(row(poolId, 1000));
    const first = await cached.revision(poolId);
    expect(first).toBe(1);
    const readsAfterFirst = reads();
    for (let i = 0; i < 5; i++) expect(await cached.revision(poolId)).toBe(1);
    expect(reads()).toBe(readsAfterFirst);
  });

  it('sees a save at once, on this instance and (PostgreSQL) on another one on the same store', async () => {
    const writer = withRevisionCache(customDbRepository(here.db), here.changes);
    const reader = withRevisionCache(customDbRepository(there.db), there.changes);
    await writer.save(row(poolId, 1000));
    expect(await reader.revision(poolId)).toBe(1);
    expect(await reader.revision(poolId)).toBe(1);
    const heard = noticed(there, 'custom_db', poolId);
    await writer.save(row(poolId, 2000));
    await heard;
    expect(await reader.revision(poolId)).toBe(2);
    expect(await writer.revision(poolId)).toBe(2);
  });

  it('re-reads a revision once it is older than the age bound (a change the feed could not see)', async () => {
    let now = 1_000_000;
    const cached = withRevisionCache(customDbRepository(here.db), here.changes, { maxAgeMs: 10_000, now: () => now });
    await cached.save(row(poolId, 1000));
    expect(await cached.revision(poolId)).toBe(1);
    // Written behind the cache's back: no notice.
    await customDbRepository(here.db).save(row(poolId, 2000));
    now += 9_999;
    expect(await cached.revision(poolId)).toBe(1);
    now += 2;
    expect(await cached.revision(poolId)).toBe(2);
  });

  it.runIf(dialect === 'postgres')('reads through while the listener is down, and forgets what it cached when it is back', async () => {
    const { repository, reads } = counted(there);
    const reader = withRevisionCache(repository, there.changes);
    const writer = withRevisionCache(customDbRepository(here.db), here.changes);
    await writer.save(row(poolId, 1000));
    expect(await reader.revision(poolId)).toBe(1);

    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'gatehouse-change-feed'",
        [database?.name],
      );
    } finally {
      await admin.end();
    }
    await until(() => !there.changes.live, 'the listener to be seen down');
    // Saved while nobody listens: the notice is lost, the reader must read through.
    await customDbRepository(here.db).save(row(poolId, 2000));
    const before = reads();
    expect(await reader.revision(poolId)).toBe(2);
    expect(reads()).toBe(before + 1);

    await until(() => there.changes.live && here.changes.live, 'the listeners to be back');
    const heard = noticed(there, 'custom_db', poolId);
    await writer.save(row(poolId, 3000));
    await heard;
    expect(await reader.revision(poolId)).toBe(3);
    // The first read may overlap the notice's arrival on this instance, and is then not kept.
    expect(await reader.revision(poolId)).toBe(3);
    const settled = reads();
    expect(await reader.revision(poolId)).toBe(3);
    expect(reads()).toBe(settled);
  });

  it('keeps a pool until it is updated or deleted, on this instance and (PostgreSQL) on another one', async () => {
    const real = poolsRepository(there.db);
    let reads = 0;
    const reader = withPoolCache({ ...real, get: (id) => (reads++, real.get(id)) }, there.changes);
    const writer = withPoolCache(poolsRepository(here.db), here.changes);
    expect((await reader.get(poolId))?.name).toBe('revisions');
    const pool = await reader.get(poolId);
    expect(reads).toBe(1);
    // A caller changing its copy changes nobody else's.
    if (pool) pool.metadata['touched'] = true;
    expect((await reader.get(poolId))?.metadata).toEqual({});

    const renamed = noticed(there, 'pools', poolId);
    await writer.update(poolId, { name: 'renamed' });
    await renamed;
    expect((await reader.get(poolId))?.name).toBe('renamed');
    const deleted = noticed(there, 'pools', poolId);
    await writer.delete(poolId);
    await deleted;
    expect(await reader.get(poolId)).toBeUndefined();
    // Misses are not kept: a pool created later under that id would be found.
    const readsBefore = reads;
    await reader.get(poolId);
    expect(reads).toBe(readsBefore + 1);
  });
});
