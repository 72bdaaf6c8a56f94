import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredPassword } from '../../src/domain/password.js';
import { parsePasswordHash } from '../../src/passwords/parse-password-hash.js';
import { usersRepository, type UsersRepository } from '../../src/store/users.js';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LEGACY_VECTORS, type LegacyVector } from '../passwords/legacy-hash-vectors.js';

/**
 * Users brought in with a password hash from another system (as an import or
 * import-the-rest stores them: source "imported", the parsed hash) sign in through
 * `POST …/auth/login`; the first successful login replaces the hash with argon2id.
 */
describeEachDialect('logging in with a password hash from another system', (dialect) => {
  let t: TestServer;
  let users: UsersRepository;
  let localPool: string;
  let lazyPool: string;
  let counter = 0;

  const login = (poolId: string, username: string, password: string) =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username, password } });

  async function importUser(poolId: string, passwordHash: unknown): Promise<{ username: string; id: string; old: StoredPassword }> {
    const parsed = parsePasswordHash(passwordHash, 'passwordHash');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const username = `legacy-${++counter}`;
    const inserted = await users.insert(poolId, { profile: { username }, password: parsed.value, source: 'imported', externalId: `old-${counter}` });
    if (!inserted.ok) throw new Error('user not inserted');
    return { username, id: inserted.user.id, old: parsed.value };
  }

  const storedPassword = async (poolId: string, id: string) => (await users.findCredentials(poolId, { id }))?.password;
  /** rows of any pool that still hold this hash */
  const rowsHolding = async (hash: string) =>
    (await t.server.store.db.selectFrom('users').select('id').where('password_hash', '=', hash).execute()).length;

  beforeAll(async () => {
    t = await startTestServer(dialect, { throttle: { maxFailuresPerAccount: 1000, maxFailuresPerAddress: 1000, windowSeconds: 60 } });
    users = usersRepository(t.server.store.db);
    localPool = await t.createPool('legacy hashes');
    lazyPool = await t.createPool('legacy hashes, lazy migration');
    // The old database must never be asked about a user who is already in the store.
    const saved = await t.admin('PUT', `/api/v1/pools/${lazyPool}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: null,
      scripts: {
        login: 'async function login() { throw new Error("the old database was asked"); }',
        getUser: 'async function getUser() { return null; }',
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(() => t?.close());

  // Every format on SQLite; one of each stored algorithm on PostgreSQL, where only the store
  // differs. The API refuses an empty password, so the one vector made with it stays in the unit tests.
  const signable = LEGACY_VECTORS.filter((vector) => vector.password !== '');
  const vectors: LegacyVector[] = dialect === 'sqlite' ? signable : [...new Map(signable.map((vector) => [vector.stored, vector])).values()];

  it.each(vectors)('$name: a wrong password fails and changes nothing; the right one signs in and leaves only an argon2id hash', async ({ passwordHash, password }) => {
    const { username, id, old } = await importUser(localPool, passwordHash);

    const wrong = await login(localPool, username, `${password}-wrong`);
    expect(wrong.statusCode).toBe(401);
    expect(await storedPassword(localPool, id)).toEqual(old);

    const first = await login(localPool, username, password);
    expect(first.statusCode, first.body).toBe(200);
    const rehashed = await storedPassword(localPool, id);
    expect(rehashed?.algorithm).toBe('argon2id');
    expect(rehashed?.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await rowsHolding(old.hash)).toBe(0);

    const second = await login(localPool, username, password);
    expect(second.statusCode, second.body).toBe(200);
    // the new hash is ours already: not replaced again
    expect(await storedPassword(localPool, id)).toEqual(rehashed);
  });

  it('signs an imported user of a lazy-migration pool in from the store, without asking the old database, and re-hashes', async () => {
    const { username, id, old } = await importUser(lazyPool, { algorithm: 'bcrypt', hash: '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu' });
    expect((await login(lazyPool, username, 'wrong')).statusCode).toBe(401);
    expect(await storedPassword(lazyPool, id)).toEqual(old);
    const response = await login(lazyPool, username, 'correct horse');
    expect(response.statusCode, response.body).toBe(200);
    expect((await storedPassword(lazyPool, id))?.algorithm).toBe('argon2id');
    expect(await rowsHolding(old.hash)).toBe(0);
    expect((await login(lazyPool, username, 'correct horse')).statusCode).toBe(200);
  });

  it('re-hashes once when two first logins race, and both sign in', async () => {
    const { username, id, old } = await importUser(localPool, { algorithm: 'sha256', hash: '83077692949face0f5d47f8480ad69351591180aa5bbb574a92a969f9bc754e7', salt: 'pepper1', saltPosition: 'prefix' });
    const responses = await Promise.all([login(localPool, username, 'correct horse'), login(localPool, username, 'correct horse')]);
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
    expect((await storedPassword(localPool, id))?.algorithm).toBe('argon2id');
    expect(await rowsHolding(old.hash)).toBe(0);
    expect((await login(localPool, username, 'correct horse')).statusCode).toBe(200);
  });

  it('keeps a password set meanwhile: the re-hash replaces only the hash it verified', async () => {
    const { id, old } = await importUser(localPool, { algorithm: 'md5', hash: '3cb4e732631f47e6eb961f34554b7cde' });
    const reset: StoredPassword = { algorithm: 'argon2id', hash: '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4' };
    expect(await users.update(localPool, id, { profile: {}, password: reset })).toMatchObject({ ok: true });
    expect(await users.replacePasswordIfUnchanged(localPool, id, old, { algorithm: 'argon2id', hash: 'late' })).toBe(false);
    expect(await storedPassword(localPool, id)).toEqual(reset);
    // a re-import meanwhile, of the same algorithm
    const reimported = parsePasswordHash({ algorithm: 'md5', hash: 'c4a1aad3bffbc17bd1415901841ac183', salt: 'pepper1', saltPosition: 'prefix' }, 'passwordHash');
    if (!reimported.ok) throw new Error(reimported.error.message);
    expect(await users.update(localPool, id, { profile: {}, password: reimported.value })).toMatchObject({ ok: true });
    expect(await users.replacePasswordIfUnchanged(localPool, id, old, { algorithm: 'argon2id', hash: 'late' })).toBe(false);
    expect(await storedPassword(localPool, id)).toEqual(reimported.value);
  });

  it('does not re-hash for a blocked user, who is told so only with the right password', async () => {
    const { username, id, old } = await importUser(localPool, { algorithm: 'ldap', hash: '{SSHA}KJ3JGsRAF0vfVIXKE1ZcDIJyLS9e7VoXEMD/7g==' });
    expect(await users.update(localPool, id, { profile: { blocked: true } })).toMatchObject({ ok: true });
    expect((await login(localPool, username, 'correct horse')).statusCode).toBe(403);
    expect(await storedPassword(localPool, id)).toEqual(old);
  });
});
