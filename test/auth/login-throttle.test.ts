import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountKeyFor, loginThrottle, type LoginThrottle, type ThrottleVerdict } from '../../src/auth/login-throttle.js';
import { openStore, type Store } from '../../src/store/database.js';
import { loginAttemptsRepository } from '../../src/store/login-attempts.js';
import { poolsRepository } from '../../src/store/pools.js';
import { usersRepository } from '../../src/store/users.js';

/**
 * The throttle on its own, over a real SQLite store and a clock moved by hand: budgets,
 * windows, Retry-After, give-backs and success. (test/http/login-throttle.test.ts checks
 * the same rules through the API, on both store dialects and under concurrency.)
 */
let dataDir: string;
let store: Store;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-throttle-unit-'));
  store = await openStore({ databaseUrl: undefined, dataDir });
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the key an account is counted under', () => {
  let poolId: string;
  let userId: string;

  beforeEach(async () => {
    poolId = (await poolsRepository(store.db).create({ name: 'keys', metadata: {} })).id;
    const inserted = await usersRepository(store.db).insert(poolId, {
      profile: { email: 'Alice@Example.com', username: 'alice', phone: '+15550100001' },
      password: null,
      source: 'local',
    });
    if (!inserted.ok) throw new Error('user not created');
    userId = inserted.user.id;
  });

  const key = (query: Parameters<typeof accountKeyFor>[2]) => accountKeyFor(usersRepository(store.db), poolId, query);

  it('is the same for every identifier of one local user', async () => {
    const keys = await Promise.all([key({ email: 'alice@example.com' }), key({ username: 'ALICE' }), key({ phone: '+15550100001' })]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toContain(userId);
  });

  it('for an unknown account, is its identifier normalised: case and spaces of an email, case of a username', async () => {
    expect(await key({ email: '  Bob@Example.COM ' })).toBe(await key({ email: 'bob@example.com' }));
    expect(await key({ username: 'BoB' })).toBe(await key({ username: 'bob' }));
    expect(await key({ phone: '+15550100999' })).toBe(await key({ phone: '+15550100999' }));
  });

  it('keeps unknown accounts apart: different identifiers, and one text used as different kinds of identifier', async () => {
    const keys = await Promise.all([
      key({ email: 'bob@example.com' }),
      key({ email: 'carol@example.com' }),
      key({ username: 'bob' }),
      key({ username: 'carol' }),
      key({ username: 'bob@example.com' }),
      key({ username: '+15550100999' }),
      key({ phone: '+15550100999' }),
      key({ phone: '+15550100998' }),
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('for a local user is not the key of an unknown account with the same identifier text', async () => {
    expect(await key({ username: 'alice' })).not.toBe(await accountKeyFor(usersRepository(store.db), 'another-pool', { username: 'alice' }));
  });
});

describe('the login throttle', () => {
  const WINDOW_MS = 60_000;
  let poolId: string;
  let at: number;
  let throttle: LoginThrottle;

  beforeEach(async () => {
    poolId = (await poolsRepository(store.db).create({ name: 'throttle', metadata: {} })).id;
    at = Date.parse('2026-11-29T12:00:00Z');
    throttle = loginThrottle(
      loginAttemptsRepository(store.db, store.dialect),
      { maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, windowSeconds: WINDOW_MS / 1000 },
      () => at,
    );
  });

  const begin = (account: string, ip: string | null = '192.0.2.1') => throttle.begin(poolId, account, ip);
  const allowed = async (account: string, ip?: string | null) => (await begin(account, ip)).allowed;
  const refusal = (verdict: ThrottleVerdict) => (verdict.allowed ? undefined : verdict.retryAfterSeconds);

  it('lets exactly the account\'s budget of attempts through in a window, then refuses', async () => {
    for (let i = 0; i < 3; i++) expect(await allowed('user:a', `192.0.2.${i}`)).toBe(true);
    expect(await allowed('user:a', '192.0.2.9')).toBe(false);
    expect(await allowed('user:b', '192.0.2.9')).toBe(true);
  });

  it('lets exactly the address\'s budget of attempts through across accounts, then refuses', async () => {
    for (let i = 0; i < 5; i++) expect(await allowed(`user:${i}`, '198.51.100.1')).toBe(true);
    expect(await allowed('user:fresh', '198.51.100.1')).toBe(false);
    expect(await allowed('user:fresh', '198.51.100.2')).toBe(true);
  });

  it('counts no address budget for a request without a client address', async () => {
    for (let i = 0; i < 8; i++) expect(await allowed(`user:n${i}`, null)).toBe(true);
    for (let i = 0; i < 3; i++) expect(await allowed('user:n0', null)).toBe(i < 2);
  });

  it('answers Retry-After as the seconds, rounded up, until the window that refused ends', async () => {
    for (let i = 0; i < 3; i++) await begin('user:r', `192.0.2.${i}`);
    at += 20_500;
    expect(refusal(await begin('user:r', '192.0.2.9'))).toBe(40);
    at += 39_000;
    expect(refusal(await begin('user:r', '192.0.2.9'))).toBe(1);
    at += 1_000;
    expect(await allowed('user:r', '192.0.2.9')).toBe(true);
  });

  it('answers the later end when both the account and the address are over budget', async () => {
    throttle = loginThrottle(loginAttemptsRepository(store.db, store.dialect), { maxFailuresPerAccount: 1, maxFailuresPerAddress: 1, windowSeconds: 60 }, () => at);
    expect(await allowed('user:x', '203.0.113.1')).toBe(true); // the account's window starts now
    at += 20_000;
    expect(await allowed('user:y', '203.0.113.2')).toBe(true); // the address's window starts 20 s later
    at += 10_000;
    // account window ends in 30 s, address window in 50 s
    expect(refusal(await begin('user:x', '203.0.113.2'))).toBe(50);
  });

  it('gives a refused attempt back to both budgets, so refusals never use up a budget', async () => {
    for (let i = 0; i < 5; i++) await begin(`user:s${i}`, '198.51.100.50');
    // the address is over its budget: these are refused and must not count against user:victim
    for (let i = 0; i < 4; i++) expect(await allowed('user:victim', '198.51.100.50')).toBe(false);
    for (let i = 0; i < 3; i++) expect(await allowed('user:victim', `198.51.100.${60 + i}`)).toBe(true);
    // and an account's refusals do not use up an address's budget
    for (let i = 0; i < 3; i++) expect(await allowed('user:victim', '198.51.100.70')).toBe(false);
    for (let i = 0; i < 5; i++) expect(await allowed(`user:t${i}`, '198.51.100.70')).toBe(true);
  });

  it('clears the account\'s count on success and gives the address its attempt back', async () => {
    for (let round = 0; round < 4; round++) {
      expect(await allowed('user:typo', '198.51.100.80')).toBe(true);
      expect(await allowed('user:typo', '198.51.100.80')).toBe(true);
      const success = await begin('user:typo', '198.51.100.80');
      if (!success.allowed) throw new Error(`round ${round}: the right password was refused`);
      await throttle.succeeded(success.attempt);
      if (round === 1) at += WINDOW_MS; // a fresh window for the address, whose failures stay counted
    }
  });

  it('does not count successful logins against the address', async () => {
    for (let i = 0; i < 10; i++) {
      const verdict = await begin(`user:ok${i % 2}`, '198.51.100.90');
      if (!verdict.allowed) throw new Error(`login ${i} was refused`);
      await throttle.succeeded(verdict.attempt);
    }
    for (let i = 0; i < 5; i++) expect(await allowed(`user:bad${i}`, '198.51.100.90')).toBe(true);
    expect(await allowed('user:bad5', '198.51.100.90')).toBe(false);
  });

  it('settles a success without a client address', async () => {
    for (let i = 0; i < 2; i++) await begin('user:noip', null);
    const success = await begin('user:noip', null);
    if (!success.allowed) throw new Error('refused');
    expect(success.attempt.address).toBeUndefined();
    await throttle.succeeded(success.attempt);
    for (let i = 0; i < 3; i++) expect(await allowed('user:noip', null)).toBe(true);
  });

  it('starts a fresh budget when the window has passed', async () => {
    for (let i = 0; i < 3; i++) await begin('user:w', `192.0.2.${i}`);
    expect(await allowed('user:w', '192.0.2.9')).toBe(false);
    at += WINDOW_MS - 1;
    expect(await allowed('user:w', '192.0.2.9')).toBe(false);
    at += 1;
    for (let i = 0; i < 3; i++) expect(await allowed('user:w', `192.0.2.${i}`)).toBe(true);
  });
});
