import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';

describeEachDialect('pools API', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(() => t.close());

  it('creates, gets, lists, updates and deletes a pool', async () => {
    const created = await t.admin('POST', '/api/v1/pools', { name: 'Acme', metadata: { region: 'eu' } });
    expect(created.statusCode).toBe(201);
    const pool = created.json();
    expect(pool).toMatchObject({ name: 'Acme', metadata: { region: 'eu' } });
    expect(typeof pool.id).toBe('string');
    expect(new Date(pool.createdAt).toISOString()).toBe(pool.createdAt);

    expect((await t.admin('GET', `/api/v1/pools/${pool.id}`)).json()).toEqual(pool);

    const list = (await t.admin('GET', '/api/v1/pools?page=1&limit=100')).json();
    expect(list.totalCount).toBeGreaterThanOrEqual(1);
    expect(list.list.map((p: { id: string }) => p.id)).toContain(pool.id);

    const patched = await t.admin('PATCH', `/api/v1/pools/${pool.id}`, { name: 'Acme Corp' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Acme Corp', metadata: { region: 'eu' } });

    expect((await t.admin('DELETE', `/api/v1/pools/${pool.id}`)).statusCode).toBe(204);
    const gone = await t.admin('GET', `/api/v1/pools/${pool.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('POOL_NOT_FOUND');
  });

  it('pages the list', async () => {
    for (let i = 0; i < 3; i++) await t.createPool(`page-${i}`);
    const page = (await t.admin('GET', '/api/v1/pools?page=2&limit=2')).json();
    expect(page.list).toHaveLength(Math.min(2, Math.max(0, page.totalCount - 2)));
  });

  it('answers 404 POOL_NOT_FOUND for unknown pools on every verb', async () => {
    for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const) {
      const response = await t.admin(method, '/api/v1/pools/nope', body);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('POOL_NOT_FOUND');
    }
  });

  it('needs the admin token', async () => {
    for (const token of [null, 'wrong-token-wrong-token']) {
      const response = await t.request('GET', '/api/v1/pools', { token });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(typeof response.json().error.requestId).toBe('string');
    }
  });
});
