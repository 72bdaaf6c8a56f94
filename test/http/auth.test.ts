import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createPostgresDatabase, postgresReachable } from '../support/databases.js';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';

describeEachDialect('end-user auth', (dialect) => {
  let t: TestServer;
  let poolId: string;
  const base = () => `/api/v1/pools/${poolId}/auth`;

  beforeAll(async () => {
    // The timing test fails many logins on purpose; throttling has its own suite.
    t = await startTestServer(dialect, { throttle: { maxFailuresPerAccount: 1000, maxFailuresPerAddress: 1000, windowSeconds: 60 } });
    poolId = await t.createPool();
    const registered = await t.request('POST', `${base()}/register`, {
      body: { email: 'Carol@Example.com', username: 'carol', phone: '+15550001111', password: 'carol-password', nickname: 'Caz' },
    });
    expect(registered.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('registers a user and answers the profile without any password field', async () => {
    const response = await t.request('POST', `${base()}/register`, { body: { username: 'dave', password: 'dave-password' } });
    expect(response.statusCode).toBe(201);
    const { user } = response.json();
    expect(user).toMatchObject({ username: 'dave', userPoolId: poolId, source: 'local', blocked: false, loginsCount: 0 });
    expect(JSON.stringify(user)).not.toMatch(/password|argon2/i);
  });

  it('refuses to register a taken email (case-insensitive), username or phone with 409', async () => {
    for (const body of [
      { email: 'carol@example.COM', password: 'another-password' },
      { username: 'carol', password: 'another-password' },
      { phone: '+15550001111', password: 'another-password' },
    ]) {
      const response = await t.request('POST', `${base()}/register`, { body });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('USER_EXISTS');
    }
  });

  it('logs in by account (email, phone, username) and by each explicit field', async () => {
    const bodies = [
      { account: 'carol@example.com' },
      { account: '+15550001111' },
      { account: 'carol' },
      { email: 'CAROL@example.com' },
      { username: 'Carol' },
      { phone: '+15550001111' },
    ];
    for (const body of bodies) {
      const response = await t.request('POST', `${base()}/login`, { body: { ...body, password: 'carol-password' } });
      expect(response.statusCode, JSON.stringify(body)).toBe(200);
      const answer = response.json();
      expect(answer).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, user: { username: 'carol' } });
    }
    const me = await t.request('POST', `${base()}/login`, { body: { account: 'carol', password: 'carol-password' } });
    expect(me.json().user.loginsCount).toBe(bodies.length + 1);
    expect(me.json().user.lastLogin).not.toBeNull();
  });

  it('answers unknown account and wrong password with the same 401, taking comparable time', async () => {
    const wrong = await t.request('POST', `${base()}/login`, { body: { account: 'carol', password: 'wrong-password' } });
    const unknown = await t.request('POST', `${base()}/login`, { body: { account: 'nobody', password: 'wrong-password' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: { error: { requestId?: string } }) => ({ ...body.error, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json().error.code).toBe('WRONG_USERNAME_OR_PASSWORD');

    // Both paths run one argon2 verification (the unknown one against a decoy), so an
    // unknown account is not answered in a fraction of the time of a wrong password.
    const time = async (account: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 9; i++) {
        const started = performance.now();
        await t.request('POST', `${base()}/login`, { body: { account, password: 'wrong-password' } });
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[4] ?? 0;
    };
    const wrongMs = await time('carol');
    const unknownMs = await time('nobody');
    // Without the decoy an unknown account answers in well under a tenth of the time.
    expect(unknownMs).toBeGreaterThan(wrongMs * 0.3);
    expect(unknownMs).toBeLessThan(wrongMs * 3);
  });

  it('answers /auth/me for a valid token only, and only in its own pool', async () => {
    const login = await t.request('POST', `${base()}/login`, { body: { account: 'carol', password: 'carol-password' } });
    const token = login.json().accessToken as string;
    const me = await t.request('GET', `${base()}/me`, { token });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'carol', email: 'Carol@Example.com' });

    for (const bad of [null, 'garbage', token.slice(0, -4) + 'AAAA']) {
      const response = await t.request('GET', `${base()}/me`, { token: bad });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('UNAUTHORIZED');
    }
    const otherPool = await t.createPool('other');
    const elsewhere = await t.request('GET', `/api/v1/pools/${otherPool}/auth/me`, { token });
    expect(elsewhere.statusCode).toBe(401);
  });

  it('signs tokens that verify against /.well-known/jwks.json', async () => {
    const login = await t.request('POST', `${base()}/login`, { body: { account: 'carol', password: 'carol-password' } });
    const jwks = (await t.request('GET', '/.well-known/jwks.json')).json();
    expect(jwks.keys).toHaveLength(1);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    const { payload, protectedHeader } = await jwtVerify(login.json().accessToken, createLocalJWKSet(jwks));
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(login.json().user.id);
    expect(payload['pool']).toBe(poolId);
  });

  it('answers 403 ACCOUNT_BLOCKED to a blocked user with the right password only', async () => {
    const created = await t.admin('POST', `/api/v1/pools/${poolId}/users`, { username: 'eve', password: 'eve-password', blocked: true });
    expect(created.statusCode).toBe(201);
    const right = await t.request('POST', `${base()}/login`, { body: { account: 'eve', password: 'eve-password' } });
    expect(right.statusCode).toBe(403);
    expect(right.json().error.code).toBe('ACCOUNT_BLOCKED');
    const wrong = await t.request('POST', `${base()}/login`, { body: { account: 'eve', password: 'not-eves-password' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('answers 404 POOL_NOT_FOUND for an unknown pool', async () => {
    const response = await t.request('POST', '/api/v1/pools/nope/auth/login', { body: { account: 'carol', password: 'carol-password' } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('POOL_NOT_FOUND');
  });
});

describe.skipIf(!(await postgresReachable()))('two servers on one PostgreSQL store', () => {
  it('share the signing key, so each accepts the other\'s tokens', async () => {
    const database = await createPostgresDatabase();
    const secretKey = Buffer.alloc(32, 9);
    const [a, b] = await Promise.all([
      startTestServer('postgres', { databaseUrl: database.url, secretKey }),
      startTestServer('postgres', { databaseUrl: database.url, secretKey }),
    ]);
    try {
      const poolId = await a.createPool();
      await a.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { username: 'zed', password: 'zed-password' } });
      const login = await a.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'zed', password: 'zed-password' } });
      const me = await b.request('GET', `/api/v1/pools/${poolId}/auth/me`, { token: login.json().accessToken });
      expect(me.statusCode).toBe(200);
      expect((await a.request('GET', '/.well-known/jwks.json')).body).toBe((await b.request('GET', '/.well-known/jwks.json')).body);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await database.drop();
    }
  });

  it('refuses to start with a different secret key than the store was made with', async () => {
    const database = await createPostgresDatabase();
    try {
      const first = await startTestServer('postgres', { databaseUrl: database.url, secretKey: Buffer.alloc(32, 1) });
      await first.close();
      await expect(startTestServer('postgres', { databaseUrl: database.url, secretKey: Buffer.alloc(32, 2) })).rejects.toThrow(
        /GATEHOUSE_SECRET_KEY does not match/,
      );
    } finally {
      await database.drop();
    }
  });
});
