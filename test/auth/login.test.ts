import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loginUseCase, type LoginUseCase } from '../../src/auth/login.js';
import { loginThrottle } from '../../src/auth/login-throttle.js';
import type { Pool } from '../../src/domain/pool.js';
import { openStore, type Store } from '../../src/store/database.js';
import { loginAttemptsRepository } from '../../src/store/login-attempts.js';
import { poolsRepository } from '../../src/store/pools.js';
import { usersRepository } from '../../src/store/users.js';
import { localDirectory } from '../../src/users/local-directory.js';
import { fail, ok } from '../../src/domain/result.js';

/** The login use case over a real SQLite store and a pool's local directory, with a hand-moved clock. */
describe('the login use case', () => {
  let dataDir: string;
  let store: Store;
  let pool: Pool;
  let login: LoginUseCase;
  let at: number;
  let directoryAsked: number;
  const from = (ip: string | null) => ({ ip, userAgent: 'test' });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-login-'));
    store = await openStore({ databaseUrl: undefined, dataDir });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    at = Date.parse('2026-11-29T12:00:00Z');
    directoryAsked = 0;
    pool = await poolsRepository(store.db).create({ name: 'login', metadata: {} });
    const users = usersRepository(store.db);
    const directory = localDirectory(pool.id, users);
    for (const name of ['alice', 'bob']) {
      const created = await directory.create({ username: name, email: `${name}@example.com`, phone: name === 'alice' ? '+15550100001' : '+15550100002', password: `${name}-password` }, null);
      if (!created.ok) throw new Error('user not created');
    }
    login = loginUseCase({
      directoryFor: async (asked) => {
        expect(asked).toBe(pool);
        directoryAsked++;
        return directory;
      },
      users,
      throttle: loginThrottle(loginAttemptsRepository(store.db, store.dialect), { maxFailuresPerAccount: 3, maxFailuresPerAddress: 100, windowSeconds: 60 }, () => at),
    });
  });

  it('answers the user, with the login recorded, for the right password', async () => {
    const result = await login(pool, { username: 'alice' }, 'alice-password', from('192.0.2.1'));
    expect(result.ok && result.value).toMatchObject({ username: 'alice', loginsCount: 1, lastIP: '192.0.2.1' });
  });

  it('answers the directory\'s failure for a wrong password or an unknown account', async () => {
    expect(await login(pool, { username: 'alice' }, 'wrong-password', from('192.0.2.1'))).toEqual({
      ok: false,
      error: { code: 'WRONG_USERNAME_OR_PASSWORD', message: 'Wrong username or password' },
    });
    expect(await login(pool, { username: 'nobody' }, 'wrong-password', from('192.0.2.1'))).toMatchObject({
      ok: false,
      error: { code: 'WRONG_USERNAME_OR_PASSWORD' },
    });
  });

  it('refuses with TOO_MANY_ATTEMPTS and Retry-After once the account\'s failures use up its budget, without checking the password', async () => {
    for (let i = 0; i < 3; i++) await login(pool, { username: 'alice' }, 'wrong-password', from(`192.0.2.${i}`));
    const asked = directoryAsked;
    at += 15_000;
    expect(await login(pool, { username: 'alice' }, 'alice-password', from('192.0.2.9'))).toEqual({
      ok: false,
      error: { code: 'TOO_MANY_ATTEMPTS', message: 'Too many failed logins; try again later', retryAfterSeconds: 45 },
    });
    expect(directoryAsked).toBe(asked);
    // another account is not affected
    expect((await login(pool, { username: 'bob' }, 'bob-password', from('192.0.2.9'))).ok).toBe(true);
  });

  it('counts every identifier of one account against one budget', async () => {
    await login(pool, { email: 'alice@example.com' }, 'wrong-password', from('192.0.2.1'));
    await login(pool, { username: 'alice' }, 'wrong-password', from('192.0.2.2'));
    await login(pool, { phone: '+15550100001' }, 'wrong-password', from('192.0.2.3'));
    expect(await login(pool, { email: 'ALICE@example.com' }, 'alice-password', from('192.0.2.4'))).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_ATTEMPTS' },
    });
  });

  it('clears the account\'s count after a successful login, and only then', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await login(pool, { username: 'bob' }, 'typo', from('192.0.2.1'))).ok).toBe(false);
      expect((await login(pool, { username: 'bob' }, 'bob-password', from('192.0.2.1'))).ok).toBe(true);
    }
    for (let i = 0; i < 3; i++) await login(pool, { username: 'bob' }, 'typo', from('192.0.2.1'));
    expect(await login(pool, { username: 'bob' }, 'bob-password', from('192.0.2.1'))).toMatchObject({ error: { code: 'TOO_MANY_ATTEMPTS' } });
  });

  it('counts the client address of the request against the address budget', async () => {
    login = loginUseCase({
      directoryFor: async () => localDirectory(pool.id, usersRepository(store.db)),
      users: usersRepository(store.db),
      throttle: loginThrottle(loginAttemptsRepository(store.db, store.dialect), { maxFailuresPerAccount: 100, maxFailuresPerAddress: 2, windowSeconds: 60 }, () => at),
    });
    await login(pool, { username: 'nobody-1' }, 'guess', from('198.51.100.7'));
    await login(pool, { username: 'nobody-2' }, 'guess', from('198.51.100.7'));
    expect(await login(pool, { username: 'alice' }, 'alice-password', from('198.51.100.7'))).toMatchObject({ error: { code: 'TOO_MANY_ATTEMPTS' } });
    expect((await login(pool, { username: 'alice' }, 'alice-password', from('198.51.100.8'))).ok).toBe(true);
  });
});

/**
 * What a login costs the embedded store, counted through the store's query hook: each write
 * is a commit, and the throttle's writes were the largest share of the server's time under
 * login load (bench/RESULTS.md). The directory answers like a custom user store's script,
 * without touching the store, so only the use case's own statements are counted.
 */
describe('store statements of a login on SQLite', () => {
  let dataDir: string;
  let store: Store;
  let pool: Pool;
  let login: LoginUseCase;
  const statements: string[] = [];
  const from = (ip: string | null) => ({ ip, userAgent: 'test' });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-login-statements-'));
    store = await openStore({ databaseUrl: undefined, dataDir }, { onQuery: (sqlText) => statements.push(sqlText) });
    pool = await poolsRepository(store.db).create({ name: 'statements', metadata: {} });
    const users = usersRepository(store.db);
    const local = localDirectory(pool.id, users);
    const created = await local.create({ username: 'carol', password: 'carol-password' }, null);
    if (!created.ok) throw new Error('user not created');
    const user = created.value;
    const directory = {
      ...local,
      login: async (_query: unknown, password: string) =>
        password === 'carol-password' ? ok(user) : fail('WRONG_USERNAME_OR_PASSWORD', 'Wrong username or password'),
    };
    login = loginUseCase({
      directoryFor: async () => directory,
      users,
      throttle: loginThrottle(loginAttemptsRepository(store.db, store.dialect), { maxFailuresPerAccount: 2, maxFailuresPerAddress: 100, windowSeconds: 60 }),
    });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The first word of each statement one login ran. */
  async function statementsOf(password: string, ip: string | null): Promise<string[]> {
    statements.length = 0;
    await login(pool, { username: 'carol' }, password, from(ip));
    return statements.map((text) => text.split(' ')[0] ?? '');
  }

  it('a success: the account\'s lookup, the count, and one statement settling both the account and the address', async () => {
    expect(await statementsOf('carol-password', '192.0.2.1')).toEqual(['select', 'insert', 'update']);
    expect(await statementsOf('carol-password', null)).toEqual(['select', 'insert', 'update']);
  });

  it('a refusal: the lookup, the count, and one statement giving the attempt back to both budgets', async () => {
    for (let i = 0; i < 2; i++) expect(await statementsOf('wrong', '192.0.2.2')).toEqual(['select', 'insert']);
    expect(await statementsOf('carol-password', '192.0.2.2')).toEqual(['select', 'insert', 'update']);
  });
});
