import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { CONNECTION_VERSIONS_KEPT, customDbRepository } from '../../src/store/custom-db.js';
import type { StoreSchema } from '../../src/store/schema.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { describeEachDialect } from '../support/dialects.js';

const SEALED = {
  enabled: 1,
  mode: 'LAZY_MIGRATION',
  dialect: 'gatehouse',
  connection: null,
  env: '{"API_KEY":"sealed-value"}',
  scripts: '{"login":"async function login() {}"}',
  timeout_ms: 2500,
  allowed_hosts: '[]',
  max_concurrency: 50,
  breaker_threshold: 5,
  breaker_cooldown_ms: 30_000,
};

describeEachDialect('connection versions in the store', (dialect) => {
  let db: Kysely<StoreSchema>;
  let database: TestDatabase | undefined;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-versions-'));
    if (dialect === 'postgres') database = await createPostgresDatabase();
    db = new Kysely<StoreSchema>({
      dialect: database
        ? new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) })
        : new SqliteDialect({ database: new SqliteDatabase(path.join(dataDir, 'store.sqlite')) }),
    });
  });
  afterAll(async () => {
    await db.destroy();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a connection saved before the migration as its pool\'s version 1, with the default breaker settings', async () => {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
    const before = await migrator.migrateTo('20261130T0030-oidc-account');
    expect(before.error).toBeUndefined();
    const now = '2026-11-01T00:00:00.000Z';
    await sql`INSERT INTO pools (id, name, metadata, created_at, updated_at) VALUES ('p1', 'Old', '{}', ${now}, ${now})`.execute(db);
    await sql`INSERT INTO custom_db_connections (pool_id, enabled, mode, connection, env, scripts, timeout_ms, allowed_hosts, updated_at, revision)
      VALUES ('p1', 1, 'LAZY_MIGRATION', NULL, '{"API_KEY":"sealed-value"}', '{}', 2500, '[]', ${now}, 4)`.execute(db);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const repository = customDbRepository(db);
    const versions = await repository.listVersions('p1', 1, 10);
    expect(versions).toEqual({
      totalCount: 1,
      list: [{ version: 1, savedAt: now, savedBy: { keyId: 'owner', name: 'owner' }, note: 'Saved before versions were kept' }],
    });
    expect(await repository.getVersion('p1', 1)).toMatchObject({ env: '{"API_KEY":"sealed-value"}', timeout_ms: 2500, max_concurrency: 50 });
    expect(await repository.get('p1')).toMatchObject({ revision: 4, max_concurrency: 50, breaker_threshold: 5, breaker_cooldown_ms: 30_000 });

    // The next save is version 2, and the revision (the ETag) keeps counting from where it was.
    const saved = await repository.save({ poolId: 'p1', sealed: SEALED, savedAt: now, savedBy: { keyId: 'k', name: 'k' }, note: null, expectedRevision: 4 });
    expect(saved).toEqual({ saved: true, revision: 5, version: 2 });
    expect(await repository.save({ poolId: 'p1', sealed: SEALED, savedAt: now, savedBy: { keyId: 'k', name: 'k' }, note: null, expectedRevision: 4 })).toEqual({ saved: false });
  });

  it(`keeps only the newest ${CONNECTION_VERSIONS_KEPT} versions of a pool`, async () => {
    const now = new Date().toISOString();
    await sql`INSERT INTO pools (id, name, metadata, created_at, updated_at) VALUES ('p2', 'Busy', '{}', ${now}, ${now})`.execute(db);
    const repository = customDbRepository(db);
    for (let i = 0; i < CONNECTION_VERSIONS_KEPT + 2; i++) {
      await repository.save({ poolId: 'p2', sealed: SEALED, savedAt: now, savedBy: { keyId: 'k', name: 'k' }, note: `save ${i}` });
    }
    const versions = await repository.listVersions('p2', 1, 1);
    expect(versions.totalCount).toBe(CONNECTION_VERSIONS_KEPT);
    expect(versions.list[0]?.version).toBe(CONNECTION_VERSIONS_KEPT + 2);
    expect(await repository.getVersion('p2', 2)).toBeUndefined();
    expect(await repository.getVersion('p2', 3)).toBeDefined();
    // Other pools' versions are untouched.
    expect((await repository.listVersions('p1', 1, 10)).totalCount).toBe(2);
  });
});
