import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPostgres, samplePassword, SAMPLE_USERS } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { startServerProcess, type RunningServer } from '../support/process.js';

const up = await postgresReachable();
const ADMIN = 'multi-instance-admin-token';

describe.skipIf(!up)('several instances on one PostgreSQL store', () => {
  let store: TestDatabase;
  let legacy: TestDatabase;
  const servers: RunningServer[] = [];
  const dataDirs: string[] = [];
  let poolId: string;

  const call = async (server: RunningServer | undefined, method: string, url: string, body?: unknown, token = ADMIN) => {
    if (!server) throw new Error('no server');
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const [a, b] = [() => servers[0], () => servers[1]];

  beforeAll(async () => {
    store = await createPostgresDatabase('gh_store');
    legacy = await createPostgresDatabase('gh_legacy');
    await seedPostgres(legacy.url);
    const env = {
      PORT: '0',
      DATABASE_URL: store.url,
      GATEHOUSE_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
      GATEHOUSE_ADMIN_TOKEN: ADMIN,
      // Each attempt is counted before its password check, so the race below (10 logins of
      // one user at once) needs a budget of at least 10 attempts in flight.
      GATEHOUSE_LOGIN_MAX_FAILURES_PER_ACCOUNT: '10',
    };
    // Started together: both run the migrations and race to create the signing key.
    const started = await Promise.allSettled(
      [0, 1].map(() => {
        const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-instance-'));
        dataDirs.push(dir);
        return startServerProcess({ ...env, GATEHOUSE_DATA_DIR: dir });
      }),
    );
    // Keep whichever started, so afterAll stops it even when the other did not.
    for (const outcome of started) if (outcome.status === 'fulfilled') servers.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(async () => {
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await store?.drop();
    await legacy?.drop();
  });

  it('serve the same pools and accept each other\'s tokens', async () => {
    const created = await call(a(), 'POST', '/api/v1/pools', { name: 'Shared' });
    poolId = created.body['id'] as string;
    expect((await call(b(), 'GET', `/api/v1/pools/${poolId}`)).status).toBe(200);
    expect((await call(b(), 'POST', `/api/v1/pools/${poolId}/auth/register`, { username: 'uma', password: 'uma-password' })).status).toBe(201);
    const login = await call(a(), 'POST', `/api/v1/pools/${poolId}/auth/login`, { username: 'uma', password: 'uma-password' });
    const token = login.body['accessToken'] as string;
    expect((await call(b(), 'GET', `/api/v1/pools/${poolId}/auth/me`, undefined, token)).status).toBe(200);
    const jwksA = await (await fetch(`${a()?.url}/.well-known/jwks.json`)).text();
    expect(await (await fetch(`${b()?.url}/.well-known/jwks.json`)).text()).toBe(jwksA);
  });

  it('see a connection saved on the other instance at once', async () => {
    const { login, getUser } = templateById('postgres').scripts;
    const saved = await call(a(), 'PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri: legacy.url },
      scripts: { login, getUser },
      timeoutMs: 15_000,
    });
    expect(saved.status).toBe(200);
    const alice = await call(b(), 'POST', `/api/v1/pools/${poolId}/auth/login`, { account: 'alice', password: samplePassword('alice') });
    expect(alice.status).toBe(200);

    // replaced on B, used on A: A's runtime for this connection must pick up the change
    await call(b(), 'PUT', `/api/v1/pools/${poolId}/custom-db`, {
      scripts: { login: 'async function login(query, password) { throw new Error("replaced on B"); }' },
    });
    const bob = SAMPLE_USERS.find((user) => user.username && user.username !== 'alice' && !user.blocked)?.username ?? '';
    const viaA = await call(a(), 'POST', `/api/v1/pools/${poolId}/auth/login`, { account: bob, password: samplePassword(bob) });
    expect(viaA.status).toBe(502);
    const logs = await call(a(), 'GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=1`);
    expect(JSON.stringify(logs.body)).toContain('replaced on B');
    await call(b(), 'PUT', `/api/v1/pools/${poolId}/custom-db`, { scripts: { login } });
  });

  it('migrate each user exactly once when first logins race across both instances', async () => {
    const users = SAMPLE_USERS.filter((user) => user.username && !user.blocked && user.username !== 'alice').slice(5, 9);
    const attempts = users.flatMap((user) =>
      Array.from({ length: 10 }, (_, i) =>
        call(i % 2 === 0 ? a() : b(), 'POST', `/api/v1/pools/${poolId}/auth/login`, {
          username: user.username,
          password: samplePassword(user.username ?? ''),
        }),
      ),
    );
    const results = await Promise.all(attempts);
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    for (const user of users) {
      const found = await call(a(), 'GET', `/api/v1/pools/${poolId}/users/search?keyword=${user.username}`);
      const list = found.body['list'] as { username: string; loginsCount: number }[];
      expect(list.filter((u) => u.username === user.username)).toHaveLength(1);
    }
    const progress = await call(b(), 'GET', `/api/v1/pools/${poolId}/custom-db/migration`);
    expect(progress.body['migratedUsers']).toBe(1 + users.length);
  });

  it('share login throttling', async () => {
    const wrong = { username: 'uma', password: 'not-uma-password' };
    for (let i = 0; i < 10; i++) {
      expect((await call(i % 2 === 0 ? a() : b(), 'POST', `/api/v1/pools/${poolId}/auth/login`, wrong)).status).toBe(401);
    }
    const throttled = await call(b(), 'POST', `/api/v1/pools/${poolId}/auth/login`, { username: 'uma', password: 'uma-password' });
    expect(throttled.status).toBe(429);
    expect(throttled.body['error']).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
  });
});
