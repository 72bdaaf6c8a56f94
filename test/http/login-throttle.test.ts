import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';

describeEachDialect('login throttling', (dialect) => {
  let t: TestServer;
  let poolId: string;
  const login = (account: string, password: string, ip = '198.51.100.1') =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/login`, {
      body: { account, password },
      headers: { 'x-forwarded-for': ip },
    });

  beforeAll(async () => {
    t = await startTestServer(dialect, {
      trustProxy: true,
      throttle: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 6, windowSeconds: 2 },
    });
    poolId = await t.createPool();
    for (const username of ['quinn', 'rita', 'sam']) {
      await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { username, password: `${username}-password` } });
    }
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after too many failures for one account, until the window ends', async () => {
    for (let i = 0; i < 3; i++) expect((await login('quinn', 'wrong-password')).statusCode).toBe(401);
    const throttled = await login('quinn', 'quinn-password');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    // the same account by another identifier kind is a different key; other accounts are unaffected
    expect((await login('rita', 'rita-password')).statusCode).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await login('quinn', 'quinn-password')).statusCode).toBe(200);
  });

  it('counts failures per client address across accounts', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < 6; i++) await login(`nobody-${i}`, 'wrong-password', ip);
    expect((await login('sam', 'sam-password', ip)).statusCode).toBe(429);
    expect((await login('sam', 'sam-password', '198.51.100.78')).statusCode).toBe(200);
  });

  it('clears an account\'s count on success, so a user who mistyped is not slowed down', async () => {
    for (let round = 0; round < 3; round++) {
      expect((await login('rita', 'typo-password', `203.0.113.${round}`)).statusCode).toBe(401);
      expect((await login('rita', 'typo-password', `203.0.113.${round}`)).statusCode).toBe(401);
      expect((await login('rita', 'rita-password', `203.0.113.${round}`)).statusCode).toBe(200);
    }
  });
});
