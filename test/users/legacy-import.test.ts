/**
 * Import the rest, one user at a time: a user exported from the old database is created
 * unless it is already local (migrated or imported) or was deleted (tombstoned); racing
 * copies of one user end as one row. On both store dialects.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/database.js';
import { poolsRepository } from '../../src/store/pools.js';
import { usersRepository, type UsersRepository } from '../../src/store/users.js';
import { userFromProfile } from '../../src/custom-db/profile.js';
import { COLLISION_MESSAGE, importLegacyUser } from '../../src/users/legacy-import.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { describeEachDialect } from '../support/dialects.js';

const BCRYPT = { algorithm: 'bcrypt', hash: '$2b$10$abcdefghijklmnopqrstuuD8W1Xn7QJ5oQ4e1dYy8bq6QXb6G4h8y' };

describeEachDialect('import the rest: one exported user', (dialect) => {
  let store: Store;
  let database: TestDatabase | undefined;
  let dataDir: string;
  let users: UsersRepository;
  let poolId: string;

  const exported = (id: string, fields: Record<string, unknown> = {}) =>
    userFromProfile({ id, username: `user${id}`, email: `user${id}@legacy.example`, createdAt: '2019-01-02T03:04:05.000Z', ...fields }, poolId, 'imported');

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-legacy-import-'));
    if (dialect === 'postgres') database = await createPostgresDatabase();
    store = await openStore({ databaseUrl: database?.url, dataDir });
    users = usersRepository(store.db);
    poolId = (await poolsRepository(store.db).create({ name: 'Legacy', metadata: {} })).id;
  });
  afterAll(async () => {
    await store.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the user with source "imported", its external id, profile, history and password hash', async () => {
    const outcome = await importLegacyUser(users, poolId, exported('1', { nickname: 'One', blocked: true }), BCRYPT);
    expect(outcome.status).toBe('created');
    const found = await users.findCredentials(poolId, { username: 'user1' });
    expect(found?.user).toMatchObject({
      source: 'imported',
      externalId: '1',
      email: 'user1@legacy.example',
      nickname: 'One',
      blocked: true,
      signedUp: '2019-01-02T03:04:05.000Z',
    });
    expect(found?.password).toEqual(BCRYPT);
  });

  it('skips a user already migrated by a login, and answers that user', async () => {
    const migrated = await users.insert(poolId, { profile: { username: 'user2' }, password: null, source: 'migrated', externalId: '2' });
    if (!migrated.ok) throw new Error('setup failed');
    const outcome = await importLegacyUser(users, poolId, exported('2'), BCRYPT);
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'exists', user: { id: migrated.user.id, source: 'migrated' } });
    // The migrated user keeps what it has: no password was slipped in.
    expect((await users.findCredentials(poolId, { id: migrated.user.id }))?.password).toBeNull();
  });

  it('skips a user an administrator deleted after it was migrated', async () => {
    const migrated = await users.insert(poolId, { profile: { username: 'user3' }, password: null, source: 'migrated', externalId: '3' });
    if (!migrated.ok) throw new Error('setup failed');
    await users.delete(poolId, migrated.user.id);
    expect(await importLegacyUser(users, poolId, exported('3'), BCRYPT)).toEqual({ status: 'skipped', reason: 'tombstoned' });
    expect(await users.getByExternalId(poolId, '3')).toBeUndefined();
  });

  it('fails (and creates nothing) when a local user already has the email', async () => {
    await users.insert(poolId, { profile: { email: 'user4@legacy.example' }, password: null, source: 'local' });
    expect(await importLegacyUser(users, poolId, exported('4'), BCRYPT)).toEqual({ status: 'failed', message: COLLISION_MESSAGE });
    expect(await users.getByExternalId(poolId, '4')).toBeUndefined();
  });

  it('makes one row of many racing copies of one user, and every racer answers that row', async () => {
    const racers = await Promise.all(Array.from({ length: 12 }, () => importLegacyUser(users, poolId, exported('5'), BCRYPT)));
    expect(racers.filter((outcome) => outcome.status === 'created')).toHaveLength(1);
    const ids = new Set(racers.map((outcome) => (outcome.status === 'failed' ? 'failed' : outcome.user?.id)));
    expect(ids.size).toBe(1);
    expect((await users.search(poolId, 'user5@', 1, 10)).totalCount).toBe(1);
  });
});
