/**
 * Named admin keys: created with the token answered once and only its hash stored, listed
 * without tokens, revoked (401 at once, on every instance), and a pool-scoped key kept
 * inside its pool on every admin route the server registers, routes added later included.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { ADMIN_TOKEN, startTestServer, type StoreDialect, type TestServer } from '../support/server.js';
import { adminRoutesOf } from '../../src/http/app.js';

const QUIET = { runtimes: { warmSpare: false } };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface CreatedKey {
  id: string;
  name: string;
  poolId: string | null;
  token: string;
  createdAt: string;
}

async function createKey(t: TestServer, body: { name: string; poolId?: string }): Promise<CreatedKey> {
  const response = await t.admin('POST', '/api/v1/admin-keys', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as CreatedKey;
}

/** Routes without a pool in their path that a scoped key may call (each narrows its answer itself). */
const OPEN_TO_SCOPED_KEYS = new Set(['GET /api/v1/pools', 'GET /api/v1/audit', 'GET /api/v1/custom-db/templates', 'GET /api/v1/custom-db/sandbox']);

/** A concrete URL for a route pattern: the pool given, any other parameter a placeholder. */
const urlFor = (pattern: string, poolId: string) =>
  pattern.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => (name === 'poolId' ? poolId : name === 'version' ? '1' : 'some-id'));

describeEachDialect('admin keys API', (dialect: StoreDialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect, {}, QUIET);
  });
  afterAll(() => t.close());

  it('creates a key whose token is answered once and stored only as its SHA-256', async () => {
    const key = await createKey(t, { name: '  deploy bot  ' });
    expect(key).toMatchObject({ name: 'deploy bot', poolId: null });
    expect(key.token).toMatch(/^gh_key_[A-Za-z0-9_-]{43}$/);
    expect(new Date(key.createdAt).toISOString()).toBe(key.createdAt);

    const row = await t.server.store.db.selectFrom('admin_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(sha256(key.token));
    expect(JSON.stringify(row)).not.toContain(key.token);

    const list = await t.admin('GET', '/api/v1/admin-keys');
    expect(list.statusCode).toBe(200);
    expect(list.json().list).toContainEqual({ id: key.id, name: 'deploy bot', poolId: null, createdAt: key.createdAt, revokedAt: null });
    expect(list.body).not.toContain(key.token);
    expect(list.body).not.toContain(row.token_hash);

    // The key works as an admin over every pool.
    expect((await t.request('GET', '/api/v1/pools', { token: key.token })).statusCode).toBe(200);
    expect((await t.request('POST', '/api/v1/pools', { token: key.token, body: { name: 'made by a key' } })).statusCode).toBe(201);
  });

  it('refuses a revoked key at once with 401, keeps it listed as revoked, and revokes idempotently', async () => {
    const key = await createKey(t, { name: 'short-lived' });
    expect((await t.request('GET', '/api/v1/pools', { token: key.token })).statusCode).toBe(200);
    expect((await t.admin('DELETE', `/api/v1/admin-keys/${key.id}`)).statusCode).toBe(204);

    const refused = await t.request('GET', '/api/v1/pools', { token: key.token });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('UNAUTHORIZED');
    const listed = (await t.admin('GET', '/api/v1/admin-keys')).json().list.find((k: { id: string }) => k.id === key.id);
    expect(typeof listed.revokedAt).toBe('string');

    expect((await t.admin('DELETE', `/api/v1/admin-keys/${key.id}`)).statusCode).toBe(204);
    const unknown = await t.admin('DELETE', '/api/v1/admin-keys/no-such-key');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
  });

  it('refuses tokens that only look like keys, and bad input naming the field', async () => {
    for (const token of ['gh_key_made-up-token-made-up-token-made-up-token', sha256('x')]) {
      expect((await t.request('GET', '/api/v1/pools', { token })).statusCode).toBe(401);
    }
    const cases: [unknown, number, string, RegExp][] = [
      [{ name: 'k', poolId: 'no-such-pool' }, 404, 'POOL_NOT_FOUND', /no-such-pool/],
      [{ name: '' }, 400, 'VALIDATION_ERROR', /body\.name/],
      [{ name: '   ' }, 400, 'VALIDATION_ERROR', /body\.name/],
      [{ name: 'Owner' }, 400, 'VALIDATION_ERROR', /body\.name/],
      [{ name: 'k', extra: 1 }, 400, 'VALIDATION_ERROR', /body\.extra/],
      [{}, 400, 'VALIDATION_ERROR', /body\.name/],
    ];
    for (const [body, status, code, message] of cases) {
      const response = await t.admin('POST', '/api/v1/admin-keys', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.json().error.code).toBe(code);
      expect(response.json().error.message).toMatch(message);
    }
  });

  describe('a key limited to one pool', () => {
    let own: string;
    let other: string;
    let scoped: CreatedKey;
    beforeAll(async () => {
      own = await t.createPool('Team A');
      other = await t.createPool('Team B secret name');
      scoped = await createKey(t, { name: 'team A', poolId: own });
    });

    it('is refused with 403 FORBIDDEN on every admin route of another pool, the body telling nothing of it', async () => {
      const routes = adminRoutesOf(t.server.app);
      const withPool = routes.filter((route) => route.url.includes(':poolId'));
      // The server has many pool routes; an empty walk would prove nothing.
      expect(withPool.length).toBeGreaterThan(20);
      for (const route of withPool) {
        const response = await t.request(route.method, urlFor(route.url, other), { token: scoped.token, body: {} });
        const where = `${route.method} ${route.url}`;
        expect(response.statusCode, where).toBe(403);
        const body = response.json();
        expect(body, where).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String), requestId: expect.any(String) } });
        expect(response.body, where).not.toContain(other);
        expect(response.body, where).not.toContain('Team B');
      }
    });

    it('may use every route of its own pool', async () => {
      for (const route of adminRoutesOf(t.server.app).filter((r) => r.url.includes(':poolId'))) {
        // Not the pool's deletion: the walk goes on.
        if (route.method === 'DELETE' && route.url === '/api/v1/pools/:poolId') continue;
        const response = await t.request(route.method, urlFor(route.url, own), { token: scoped.token, body: {} });
        expect([401, 403], `${route.method} ${route.url}: ${response.body}`).not.toContain(response.statusCode);
      }
      for (const url of [`/api/v1/pools/${own}`, `/api/v1/pools/${own}/custom-db`, `/api/v1/pools/${own}/users`, `/api/v1/pools/${own}/applications`]) {
        expect((await t.request('GET', url, { token: scoped.token })).statusCode, url).toBe(200);
      }
      const saved = await t.request('PUT', `/api/v1/pools/${own}/custom-db`, { token: scoped.token, body: { timeoutMs: 4000 } });
      expect(saved.statusCode).toBe(200);
      const user = await t.request('POST', `/api/v1/pools/${own}/users`, { token: scoped.token, body: { email: 'scoped@example.com' } });
      expect(user.statusCode).toBe(201);
    });

    it('is refused on routes outside any pool unless they narrow their answer to its pool', async () => {
      const global = adminRoutesOf(t.server.app).filter((route) => !route.url.includes(':poolId'));
      expect(global.map((route) => `${route.method} ${route.url}`)).toEqual(expect.arrayContaining(['POST /api/v1/pools', 'POST /api/v1/admin-keys', 'GET /api/v1/admin-keys']));
      for (const route of global) {
        const where = `${route.method} ${route.url}`;
        const response = await t.request(route.method, urlFor(route.url, other), { token: scoped.token, body: { name: 'x' } });
        if (OPEN_TO_SCOPED_KEYS.has(where)) expect(response.statusCode, where).toBe(200);
        else {
          expect(response.statusCode, where).toBe(403);
          expect(response.json().error.code, where).toBe('FORBIDDEN');
        }
      }
      // Nothing was made by the refused calls.
      expect((await t.admin('GET', '/api/v1/admin-keys')).json().list.filter((k: { name: string }) => k.name === 'x')).toEqual([]);
    });

    it('sees its own pool alone in the pool list and its pool alone in the audit log', async () => {
      const pools = (await t.request('GET', '/api/v1/pools?page=1&limit=100', { token: scoped.token })).json();
      expect(pools).toMatchObject({ totalCount: 1, list: [{ id: own }] });
      expect((await t.request('GET', '/api/v1/pools?page=2&limit=1', { token: scoped.token })).json()).toEqual({ totalCount: 1, list: [] });

      await t.admin('PATCH', `/api/v1/pools/${other}`, { name: 'Team B renamed' });
      const audit = (await t.request('GET', '/api/v1/audit?limit=100', { token: scoped.token })).json();
      expect(audit.list.length).toBeGreaterThan(0);
      expect(audit.list.every((entry: { poolId: string }) => entry.poolId === own)).toBe(true);
      const forced = await t.request('GET', `/api/v1/audit?poolId=${other}`, { token: scoped.token });
      expect(forced.statusCode).toBe(403);
      expect(forced.body).not.toContain('Team B');
      // The owner sees both.
      const all = (await t.admin('GET', '/api/v1/audit?limit=100')).json();
      expect(all.list.some((entry: { poolId: string }) => entry.poolId === other)).toBe(true);
    });

    it('is what the OpenAPI document calls an admin route: every documented admin route sits behind the guard', async () => {
      const registered = new Set(adminRoutesOf(t.server.app).map((route) => `${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`));
      const doc = (await t.request('GET', '/api/openapi.json')).json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
      const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => JSON.stringify(operation.security ?? []).includes('adminToken'))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
      expect(documented.length).toBeGreaterThan(20);
      for (const route of documented) expect(registered.has(route), route).toBe(true);
    });

    // Only a PostgreSQL store has a database server a connection can share, and the server
    // knows its own address once it listens.
    it.skipIf(dialect !== 'postgres')("may not connect its pool to the database server of the server's own store", async () => {
      await t.server.app.listen({ port: 0, host: '127.0.0.1' });
      const storeHost = new URL(t.config.databaseUrl ?? '');
      const onStoreServer = `postgres://legacy:pw@${storeHost.hostname}:${storeHost.port || '5432'}/legacy`;
      const url = `/api/v1/pools/${own}/custom-db`;
      const refused = await t.request('PUT', url, { token: scoped.token, body: { connection: { type: 'uri', uri: onStoreServer } } });
      expect(refused.statusCode, refused.body).toBe(403);
      expect(refused.json().error.code).toBe('FORBIDDEN');
      const elsewhere = await t.request('PUT', url, { token: scoped.token, body: { connection: { type: 'uri', uri: 'postgres://legacy:pw@legacy.example.com:5432/legacy' } } });
      expect(elsewhere.statusCode, elsewhere.body).toBe(200);

      // The owner may (and is warned); the scoped key then may not save scripts on it either.
      const owned = await t.admin('PUT', url, { connection: { type: 'uri', uri: onStoreServer } });
      expect(owned.statusCode).toBe(200);
      expect(owned.json().warnings).toHaveLength(1);
      const scripts = await t.request('PUT', url, { token: scoped.token, body: { timeoutMs: 3000 } });
      expect(scripts.statusCode).toBe(403);
      expect((await t.request('GET', url, { token: scoped.token })).statusCode).toBe(200);
    });

    it('goes with its pool', async () => {
      const pool = await t.createPool('short-lived pool');
      const key = await createKey(t, { name: 'short-lived pool key', poolId: pool });
      expect((await t.request('DELETE', `/api/v1/pools/${pool}`, { token: key.token })).statusCode).toBe(204);
      expect((await t.request('GET', `/api/v1/pools/${pool}`, { token: key.token })).statusCode).toBe(401);
    });
  });

  it('keeps the startup admin token as the owner', async () => {
    expect((await t.request('GET', '/api/v1/admin-keys', { token: ADMIN_TOKEN })).statusCode).toBe(200);
  });
});

const postgresUp = await postgresReachable();

describe.skipIf(!postgresUp)('admin keys on two instances sharing a PostgreSQL store', () => {
  let store: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    store = await createPostgresDatabase('gh_keys');
    const shared = { databaseUrl: store.url, secretKey: Buffer.alloc(32, 9) };
    a = await startTestServer('postgres', shared, QUIET);
    b = await startTestServer('postgres', shared, QUIET);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.drop();
  });

  it('a key revoked on one instance is refused by the other at once', async () => {
    const key = await createKey(a, { name: 'roaming' });
    expect((await b.request('GET', '/api/v1/pools', { token: key.token })).statusCode).toBe(200);
    expect((await a.admin('DELETE', `/api/v1/admin-keys/${key.id}`)).statusCode).toBe(204);
    expect((await b.request('GET', '/api/v1/pools', { token: key.token })).statusCode).toBe(401);
  });
});
