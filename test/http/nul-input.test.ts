import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { describeEachDialect } from '../support/dialects.js';

/**
 * A NUL character anywhere in a request is a 400 naming the field. On the PostgreSQL store
 * it used to reach the database and fail there as a 500 (text cannot hold NUL).
 */
describeEachDialect('NUL characters in requests', (dialect) => {
  let t: TestServer;
  let poolId: string;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    poolId = await t.createPool();
  });
  afterAll(() => t?.close());

  it('answers 400 for a pool id with NUL in the path', async () => {
    const response = await t.admin('GET', '/api/v1/pools/abc%00def');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'params.poolId must not contain NUL characters' });
  });

  it('answers 400 for NUL in a body field, a nested key and a query string, and stores nothing', async () => {
    const field = await t.admin('POST', `/api/v1/pools/${poolId}/users`, { username: 'nul\u0000user', password: 'a-good-password-1' });
    expect(field.statusCode).toBe(400);
    expect(field.json().error.message).toBe('body.username must not contain NUL characters');

    const key = await t.admin('PATCH', `/api/v1/pools/${poolId}`, { metadata: { 'a\u0000b': 1 } });
    expect(key.statusCode).toBe(400);
    expect(key.json().error.message).toMatch(/^body\.metadata\.a.b must not contain NUL characters$/);

    const query = await t.admin('GET', `/api/v1/pools/${poolId}/users/search?keyword=a%00b`);
    expect(query.statusCode).toBe(400);
    expect(query.json().error.message).toBe('querystring.keyword must not contain NUL characters');

    const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'x\u0000', password: 'p' } });
    expect(login.statusCode).toBe(400);

    const users = await t.admin('GET', `/api/v1/pools/${poolId}/users`);
    expect(users.json().totalCount).toBe(0);
  });
});
