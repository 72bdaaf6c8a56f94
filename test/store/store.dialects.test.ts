import { afterAll, beforeAll, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { poolsRepository } from '../../src/store/pools.js';
import { settingsRepository } from '../../src/store/settings.js';
import { usersRepository } from '../../src/store/users.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { loadOrGenerateSecretKey, verifySecretKey } from '../../src/secrets/secret-key.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { describeEachDialect } from '../support/dialects.js';

/** The migrator's own record: one row per migration it ran, in name order. */
async function migrationsRecorded(store: Store): Promise<{ name: string; timestamp: string }[]> {
  const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name`.execute(store.db);
  return rows;
}

describeEachDialect('store', (dialect) => {
  let store: Store;
  let database: TestDatabase | undefined;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-store-'));
    if (dialect === 'postgres') database = await createPostgresDatabase();
    store = await openStore({ databaseUrl: database?.url, dataDir });
  });
  afterAll(async () => {
    await store.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the migrations once: a second open records nothing new and keeps the data', async () => {
    const recorded = await migrationsRecorded(store);
    expect(recorded.map((row) => row.name)).toEqual(Object.keys(MIGRATIONS));
    // A row written between the opens must survive: a migration run again (or a schema
    // rebuilt) would fail on the existing tables or drop what they hold.
    const kept = await poolsRepository(store.db).create({ name: 'kept across opens', metadata: { tier: 'gold' } });
    const again = await openStore({ databaseUrl: database?.url, dataDir });
    try {
      // same names, same timestamps: nothing was run or recorded a second time
      expect(await migrationsRecorded(again)).toEqual(recorded);
      expect(await poolsRepository(again.db).get(kept.id)).toMatchObject({ name: 'kept across opens', metadata: { tier: 'gold' } });
    } finally {
      await again.close();
    }
    expect(store.dialect).toBe(dialect);
  });

  it.runIf(dialect === 'postgres')('runs the migrations once when two instances open a fresh store at the same time', async () => {
    const fresh = await createPostgresDatabase();
    const opened = await Promise.allSettled([0, 1].map(() => openStore({ databaseUrl: fresh.url, dataDir })));
    try {
      // without the migration lock, the second instance runs the same CREATE TABLEs and fails
      expect(opened.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
      const [first] = opened;
      if (first?.status !== 'fulfilled') throw new Error('unreachable');
      expect((await migrationsRecorded(first.value)).map((row) => row.name)).toEqual(Object.keys(MIGRATIONS));
    } finally {
      for (const outcome of opened) if (outcome.status === 'fulfilled') await outcome.value.close();
      await fresh.drop();
    }
  });

  it('writes a setting only when absent, and exactly one of racing writers wins', async () => {
    const settings = settingsRepository(store.db);
    const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => settings.insertIfAbsent('race', `v${i}`)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = wins.indexOf(true);
    expect(await settings.get('race')).toBe(`v${winner}`);
    await settings.set('race', 'changed');
    expect(await settings.get('race')).toBe('changed');
  });

  it('keeps pools and users with unique case-insensitive emails per pool', async () => {
    const pools = poolsRepository(store.db);
    const users = usersRepository(store.db);
    const a = await pools.create({ name: 'A', metadata: { tier: 'gold' } });
    const b = await pools.create({ name: 'B', metadata: {} });
    const first = await users.insert(a.id, { profile: { email: 'Ann@Example.com' }, password: null, source: 'local' });
    expect(first.ok).toBe(true);
    expect(await users.insert(a.id, { profile: { email: 'ann@example.COM' }, password: null, source: 'local' })).toEqual({
      ok: false,
      reason: 'exists',
    });
    expect((await users.insert(b.id, { profile: { email: 'ann@example.com' }, password: null, source: 'local' })).ok).toBe(true);
    expect((await users.get(a.id, { email: 'ANN@example.com' }))?.email).toBe('Ann@Example.com');
    expect((await pools.get(a.id))?.metadata).toEqual({ tier: 'gold' });
  });

  it('allows one local row per external id: the exactly-once guarantee of migration', async () => {
    const pools = poolsRepository(store.db);
    const users = usersRepository(store.db);
    const pool = await pools.create({ name: 'M', metadata: {} });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        users.insert(pool.id, { profile: { username: 'bob' }, password: null, source: 'migrated', externalId: '42' }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect((await users.countMigrated(pool.id)).count).toBe(1);
  });

  it('searches with LIKE metacharacters matched literally', async () => {
    const pools = poolsRepository(store.db);
    const users = usersRepository(store.db);
    const pool = await pools.create({ name: 'S', metadata: {} });
    await users.insert(pool.id, { profile: { username: 'a_b' }, password: null, source: 'local' });
    await users.insert(pool.id, { profile: { username: 'axb' }, password: null, source: 'local' });
    await users.insert(pool.id, { profile: { nickname: '100%' }, password: null, source: 'local' });
    expect((await users.search(pool.id, '_', 1, 10)).list.map((u) => u.username)).toEqual(['a_b']);
    expect((await users.search(pool.id, '%', 1, 10)).list.map((u) => u.nickname)).toEqual(['100%']);
    expect((await users.search(pool.id, 'A', 1, 10)).totalCount).toBe(2);
  });

  it('deletes a pool with its users', async () => {
    const pools = poolsRepository(store.db);
    const users = usersRepository(store.db);
    const pool = await pools.create({ name: 'D', metadata: {} });
    await users.insert(pool.id, { profile: { username: 'gone' }, password: null, source: 'local' });
    expect(await pools.delete(pool.id)).toBe(true);
    expect((await users.list(pool.id, 1, 10)).totalCount).toBe(0);
  });

  it('detects a store opened with a different secret key', async () => {
    const settings = settingsRepository(store.db);
    expect(await verifySecretKey(settings, createSecretBox(Buffer.alloc(32, 1)))).toBe(true);
    expect(await verifySecretKey(settings, createSecretBox(Buffer.alloc(32, 2)))).toBe(false);
  });
});

it('generates the secret key into the data dir with mode 0600, once', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-key-'));
  try {
    const first = loadOrGenerateSecretKey(undefined, dir);
    const second = loadOrGenerateSecretKey(undefined, dir);
    expect(first.generated).toBe(true);
    expect(second.generated).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('makes a data dir that others could read private before the embedded store is created in it', async () => {
  // Runtimes under the unshare sandbox run as `nobody` with the host's file view.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-store-mode-'));
  chmodSync(dataDir, 0o755);
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

