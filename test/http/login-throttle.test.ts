import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loginThrottle } from '../../src/auth/login-throttle.js';
import { openStore, type Store } from '../../src/store/database.js';
import { loginAttemptsRepository } from '../../src/store/login-attempts.js';
import { poolsRepository } from '../../src/store/pools.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** The throttle's clock, moved by hand: no test waits for a window to pass. */
function fakeClock() {
  let at = Date.parse('2026-11-29T12:00:00Z');
  return { now: () => at, advance: (ms: number) => void (at += ms) };
}

describeEachDialect('login throttling', (dialect) => {
  const WINDOW_SECONDS = 60;
  const clock = fakeClock();
  let t: TestServer;
  let poolId: string;
  const login = (account: string, password: string, ip = '198.51.100.1') =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/login`, {
      body: { account, password },
      headers: { 'x-forwarded-for': ip },
    });
  const status = async (account: string, password: string, ip?: string) => (await login(account, password, ip)).statusCode;

  beforeAll(async () => {
    t = await startTestServer(
      dialect,
      { trustProxy: true, throttle: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 6, windowSeconds: WINDOW_SECONDS } },
      { now: clock.now },
    );
    poolId = await t.createPool();
    const people: Array<[string, string]> = [['quinn', '+15550100001'], ['rita', '+15550100002'], ['sam', '+15550100003'], ['tess', '+15550100004']];
    for (const [username, phone] of people) {
      const body = { username, email: `${username}@example.com`, phone, password: `${username}-password` };
      expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body })).statusCode).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after too many failures for one account, until the window ends', async () => {
    for (let i = 0; i < 3; i++) expect(await status('quinn', 'wrong-password')).toBe(401);
    const throttled = await login('quinn', 'quinn-password');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(throttled.headers['retry-after']).toBe(String(WINDOW_SECONDS));
    expect(await status('rita', 'rita-password')).toBe(200);

    clock.advance(WINDOW_SECONDS * 1000 - 1000);
    const stillThrottled = await login('quinn', 'quinn-password');
    expect(stillThrottled.statusCode).toBe(429);
    expect(stillThrottled.headers['retry-after']).toBe('1');
    clock.advance(1000);
    expect(await status('quinn', 'quinn-password')).toBe(200);
  });

  it('gives an account one budget whatever identifier names it', async () => {
    expect(await status('tess@example.com', 'wrong-password')).toBe(401);
    expect(await status('TESS', 'wrong-password')).toBe(401);
    expect(await status('+15550100004', 'wrong-password')).toBe(401);
    expect(await status('Tess@Example.com', 'tess-password')).toBe(429);
    expect(await status('tess', 'tess-password')).toBe(429);
    clock.advance(WINDOW_SECONDS * 1000);
  });

  it('counts failures per client address across accounts', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < 6; i++) expect(await status(`nobody-${i}`, 'wrong-password', ip)).toBe(401);
    expect(await status('sam', 'sam-password', ip)).toBe(429);
    expect(await status('sam', 'sam-password', '198.51.100.78')).toBe(200);
    clock.advance(WINDOW_SECONDS * 1000);
  });

  it('gives refused attempts back: an address over its budget cannot use up an account\'s budget', async () => {
    const blocked = '198.51.100.90';
    for (let i = 0; i < 6; i++) expect(await status(`nobody-${i}`, 'wrong-password', blocked)).toBe(401);
    for (let i = 0; i < 5; i++) expect(await status('rita', 'wrong-password', blocked)).toBe(429);
    // rita's own budget of 3 is untouched by the 5 refusals above
    for (let i = 0; i < 3; i++) expect(await status('rita', 'wrong-password', `203.0.113.${i}`)).toBe(401);
    expect(await status('rita', 'rita-password', '203.0.113.9')).toBe(429);
    clock.advance(WINDOW_SECONDS * 1000);
  });

  it('clears an account\'s count on success, so a user who mistyped is not slowed down', async () => {
    for (let round = 0; round < 3; round++) {
      expect(await status('rita', 'typo-password', `203.0.113.${round}`)).toBe(401);
      expect(await status('rita', 'typo-password', `203.0.113.${round}`)).toBe(401);
      expect(await status('rita', 'rita-password', `203.0.113.${round}`)).toBe(200);
    }
    clock.advance(WINDOW_SECONDS * 1000);
  });

  it('does not count successful logins against the client address', async () => {
    const office = '198.51.100.120';
    for (let i = 0; i < 8; i++) expect(await status(i % 2 === 0 ? 'sam' : 'quinn', `${i % 2 === 0 ? 'sam' : 'quinn'}-password`, office)).toBe(200);
    for (let i = 0; i < 6; i++) expect(await status(`nobody-${i}`, 'wrong-password', office)).toBe(401);
    expect(await status('sam', 'sam-password', office)).toBe(429);
    clock.advance(WINDOW_SECONDS * 1000);
  });
});

describeEachDialect('login throttling under concurrency', (dialect) => {
  let t: TestServer;
  let poolId: string;

  beforeAll(async () => {
    t = await startTestServer(dialect, {
      trustProxy: true,
      throttle: { maxFailuresPerAccount: 10, maxFailuresPerAddress: 1000, windowSeconds: 900 },
    });
    poolId = await t.createPool();
    const body = { username: 'alice', email: 'alice@example.com', phone: '+15550100001', password: 'alice-password' };
    expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body })).statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('lets at most the budget of 20 concurrent wrong guesses reach the password check, whichever identifier each uses', async () => {
    const identifiers = ['alice@example.com', 'alice', '+15550100001'];
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request('POST', `/api/v1/pools/${poolId}/auth/login`, {
          body: { account: identifiers[i % 3], password: `guess-${i}` },
          headers: { 'x-forwarded-for': `198.51.100.${i}` },
        }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    // 401 is the password check's answer; 429 means the throttle stopped the guess before it
    expect(statuses.filter((code) => code === 401)).toHaveLength(10);
    expect(statuses.filter((code) => code === 429)).toHaveLength(10);
  });
});

describeEachDialect('login attempt counting in the store', (dialect) => {
  let first: Store;
  let second: Store;
  let database: TestDatabase | undefined;
  let dataDir: string;
  let poolId: string;
  const clock = fakeClock();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-throttle-'));
    if (dialect === 'postgres') database = await createPostgresDatabase();
    const location = { databaseUrl: database?.url, dataDir };
    // Two handles on one store stand for two instances of the server.
    first = await openStore(location);
    second = await openStore(location);
    poolId = (await poolsRepository(first.db).create({ name: 'T', metadata: {} })).id;
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const throttleOn = (store: Store) =>
    loginThrottle(loginAttemptsRepository(store.db, store.dialect), { maxFailuresPerAccount: 10, maxFailuresPerAddress: 100, windowSeconds: 60 }, clock.now);

  it('admits exactly the budget of 20 attempts racing on two instances', async () => {
    const one = throttleOn(first);
    const other = throttleOn(second);
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : other).begin(poolId, 'user:race', `192.0.2.${i}`)),
    );
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(10);
    // the refused ones gave their count back: the account holds exactly its budget, so one more count makes 11
    const [window] = await loginAttemptsRepository(first.db, first.dialect).count(poolId, ['user:race'], clock.now(), 60_000);
    expect(window?.attempts).toBe(11);
  });

  it('lets counts and settles of one account and address race on two instances without a deadlock', async () => {
    const one = throttleOn(first);
    const other = throttleOn(second);
    const logins = Array.from({ length: 60 }, async (_, i) => {
      const throttle = i % 2 === 0 ? one : other;
      const verdict = await throttle.begin(poolId, 'user:busy', '192.0.2.250');
      if (verdict.allowed) await throttle.succeeded(verdict.attempt);
      return verdict.allowed;
    });
    const outcomes = await Promise.allSettled(logins);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
  });

  it('restarts a window that has ended, and never counts below zero', async () => {
    const repository = loginAttemptsRepository(second.db, second.dialect);
    const start = clock.now();
    const both = await repository.count(poolId, ['user:w', 'ip:192.0.2.200'], start, 60_000);
    expect(both).toHaveLength(2);
    expect(both).toEqual(
      expect.arrayContaining([
        { key: 'user:w', attempts: 1, windowStart: start },
        { key: 'ip:192.0.2.200', attempts: 1, windowStart: start },
      ]),
    );
    expect((await repository.count(poolId, ['user:w'], start + 59_999, 60_000))[0]).toEqual({ key: 'user:w', attempts: 2, windowStart: start });
    expect((await repository.count(poolId, ['user:w'], start + 60_000, 60_000))[0]).toEqual({
      key: 'user:w',
      attempts: 1,
      windowStart: start + 60_000,
    });
    // a give-back for a window that has since restarted changes nothing
    await repository.settle(poolId, { reset: [], giveBack: [{ key: 'user:w', windowStart: start }] });
    expect((await repository.count(poolId, ['user:w'], start + 60_001, 60_000))[0]?.attempts).toBe(2);
    // a reset, then a give-back of the same window: 0, not -1
    await repository.settle(poolId, { reset: ['user:w'], giveBack: [] });
    await repository.settle(poolId, { reset: [], giveBack: [{ key: 'user:w', windowStart: start + 60_000 }] });
    expect((await repository.count(poolId, ['user:w'], start + 60_002, 60_000))[0]?.attempts).toBe(1);
  });
});
