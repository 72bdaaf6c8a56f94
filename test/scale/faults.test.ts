import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateById } from '../../src/custom-db/templates/index.js';
import { postgresAdminSql, postgresReachable } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const up = await postgresReachable();

const adminSql = postgresAdminSql;

interface Registration {
  username: string;
  response: LightMyRequestResponse;
}

describe('faults in custom databases and runtimes', () => {
  let t: TestServer;
  let garbage: http.Server;
  let garbageUrl: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    // A "legacy web service" that answers every request with an HTML error page.
    garbage = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>502 Bad Gateway</body></html>');
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => garbage.close(resolve));
  });

  it('answers 502 when the custom database answers garbage, and migrates nothing', async () => {
    const poolId = await t.createPool();
    const { login, getUser } = templateById('webservice').scripts;
    await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri: garbageUrl },
      scripts: { login, getUser },
    });
    const response = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'alice', password: 'alice-password-1' } });
    expect(response.statusCode).toBe(502);
    expect(response.json().error.code).toBe('CUSTOM_DB_ERROR');
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json().migratedUsers).toBe(0);
  });

  it('answers 502 when the runtime is killed mid-call, and the next call works', async () => {
    // The slow login calls this loopback server once it runs, so the kill lands while
    // the call is inside the script rather than after a guessed delay.
    let reached: () => void = () => undefined;
    const inScript = new Promise<void>((resolve) => (reached = resolve));
    const signal = http.createServer((_request, response) => {
      reached();
      response.end('ok');
    });
    await new Promise<void>((resolve) => signal.listen(0, '127.0.0.1', resolve));
    try {
      const poolId = await t.createPool();
      await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
        enabled: true,
        mode: 'CUSTOM_USER_STORE',
        env: { SIGNAL_URL: `http://127.0.0.1:${(signal.address() as AddressInfo).port}` },
        // The sandbox refuses loopback unless the connection lists it.
        allowedHosts: [`127.0.0.1:${(signal.address() as AddressInfo).port}`],
        scripts: {
          login: `async function login(query, password) {
            if (query.username === 'slow') {
              await fetch(env.SIGNAL_URL);
              await new Promise((resolve) => setTimeout(resolve, 10000));
            }
            return { id: '1', username: query.username };
          }`,
        },
      });
      const login = (username: string) =>
        t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username, password: 'any-password' } });
      expect((await login('fast')).statusCode).toBe(200);
      const pending = login('slow');
      await inScript;
      const pid = t.server.runtimes.runtimePid(poolId);
      expect(pid).toBeGreaterThan(0);
      process.kill(pid ?? 0, 'SIGKILL');
      const killed = await pending;
      expect(killed.statusCode).toBe(502);
      expect(killed.json().error.code).toBe('CUSTOM_DB_ERROR');
      const next = await login('fast');
      expect(next.statusCode).toBe(200);
      // a fresh runtime answered it, not the killed one
      expect(t.server.runtimes.runtimePid(poolId)).not.toBe(pid);
      const logs = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=5`)).json().list as { outcome: string }[];
      expect(logs.map((entry) => entry.outcome)).toEqual(['success', 'runtime', 'success']);
    } finally {
      await new Promise((resolve) => signal.close(resolve));
    }
  });
});

describe.skipIf(!up)('the own PostgreSQL store going away while serving', () => {
  let t: TestServer;
  let storeName: string;

  beforeAll(async () => {
    t = await startTestServer('postgres', {}, { logger: { level: 'error' } });
    storeName = new URL(t.config.databaseUrl ?? '').pathname.slice(1);
  });
  afterAll(async () => {
    await adminSql(`ALTER DATABASE ${storeName} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await t.close();
  });

  it('answers 503 while the store refuses connections, loses no config, and resumes by itself', async () => {
    const poolId = await t.createPool();
    const config = { enabled: false, mode: 'LAZY_MIGRATION', scripts: { login: templateById('postgres').scripts.login }, timeoutMs: 4000 };
    expect((await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, config)).statusCode).toBe(200);
    await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { username: 'vic', password: 'vic-password' } });

    await adminSql(`ALTER DATABASE ${storeName} ALLOW_CONNECTIONS false`);
    await adminSql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${storeName}'`);

    const health = await t.request('GET', '/healthz');
    expect(health.statusCode).toBe(503);
    const during = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: false, timeoutMs: 9999 });
    expect(during.statusCode).toBe(503);
    expect(during.json().error.code).toBe('SERVICE_UNAVAILABLE');
    expect(during.headers['retry-after']).toBe('1');
    const loginDuring = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username: 'vic', password: 'vic-password' } });
    expect(loginDuring.statusCode).toBe(503);

    await adminSql(`ALTER DATABASE ${storeName} ALLOW_CONNECTIONS true`);
    expect((await t.request('GET', '/healthz')).statusCode).toBe(200);
    const saved = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db`)).json();
    expect(saved).toMatchObject({ enabled: false, timeoutMs: 4000 });
    expect(saved.scripts.login).toBe(config.scripts.login);
    const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username: 'vic', password: 'vic-password' } });
    expect(login.statusCode).toBe(200);
  });

  it('answers each registration as the outage allows at that moment, and keeps exactly the users it confirmed', async () => {
    const poolId = await t.createPool();
    const password = 'w-password-1';
    const register = async (username: string) => ({
      username,
      response: await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { username, password } }),
    });
    const batch = (prefix: string, count: number) => Promise.all(Array.from({ length: count }, (_, i) => register(`${prefix}${i}`)));
    const expectUnavailable = ({ username, response }: Registration) => {
      expect(response.statusCode, username).toBe(503);
      expect(response.json().error.code).toBe('SERVICE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBe('1');
    };

    // before the cut the store is there: every registration is confirmed
    const before = await batch('before', 5);
    expect(before.map((r) => r.response.statusCode)).toEqual(Array(5).fill(201));

    // the cut lands while these are in flight: each may fall on either side of it, but a
    // refusal is always the retryable 503, never a 500
    const inFlight = Array.from({ length: 20 }, (_, i) => register(`cut${i}`));
    // cut as soon as the first is confirmed, so the others are somewhere between hashing and writing
    await Promise.race(inFlight);
    await adminSql(`ALTER DATABASE ${storeName} ALLOW_CONNECTIONS false`);
    await adminSql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${storeName}' AND pid <> pg_backend_pid()`);
    const cut = await Promise.all(inFlight);
    expect(cut.some((r) => r.response.statusCode === 201)).toBe(true);
    for (const registration of cut) if (registration.response.statusCode !== 201) expectUnavailable(registration);

    // during the outage nothing can be written, and every answer says when to retry
    const during = await batch('during', 5);
    for (const registration of during) expectUnavailable(registration);

    // after recovery, registrations are confirmed again without a restart
    await adminSql(`ALTER DATABASE ${storeName} ALLOW_CONNECTIONS true`);
    const after = await batch('after', 5);
    expect(after.map((r) => r.response.statusCode)).toEqual(Array(5).fill(201));

    // the store holds exactly the confirmed users: none lost, none written behind a refusal
    const confirmed = [...before, ...cut, ...during, ...after].filter((r) => r.response.statusCode === 201).map((r) => r.username);
    const listed = await t.admin('GET', `/api/v1/pools/${poolId}/users?limit=100`);
    expect(listed.statusCode).toBe(200);
    expect((listed.json().list as { username: string }[]).map((user) => user.username).sort()).toEqual([...confirmed].sort());
    // and each is whole: its password was written with it
    for (const username of confirmed) {
      const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username, password } });
      expect(login.statusCode, username).toBe(200);
    }
    // a refused registration left nothing behind that would block trying again
    const refused = [...cut, ...during].filter((r) => r.response.statusCode !== 201);
    for (const { username } of refused) expect((await register(username)).response.statusCode, username).toBe(201);
  });
});
