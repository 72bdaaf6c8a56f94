import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, ADMIN_TOKEN, type TestServer } from '../support/server.js';

/** Every endpoint, fed bad input, answers 400 VALIDATION_ERROR naming the field, and changes nothing. */
describe('bad input on every endpoint', () => {
  let t: TestServer;
  let poolId: string;
  let userId: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
    userId = (await t.admin('POST', `/api/v1/pools/${poolId}/users`, { username: 'ivan', password: 'ivan-password' })).json().id;
  });
  afterAll(() => t.close());

  const cases: { name: string; method: string; url: () => string; body?: unknown; admin?: boolean; field: RegExp }[] = [
    { name: 'pool without name', method: 'POST', url: () => '/api/v1/pools', body: {}, field: /body\.name is required/ },
    { name: 'pool name of wrong type', method: 'POST', url: () => '/api/v1/pools', body: { name: 5 }, field: /body\.name must be string/ },
    { name: 'pool with unknown field', method: 'POST', url: () => '/api/v1/pools', body: { name: 'x', owner: 'me' }, field: /body\.owner is not a known field/ },
    { name: 'pool metadata not an object', method: 'POST', url: () => '/api/v1/pools', body: { name: 'x', metadata: [] }, field: /body\.metadata/ },
    { name: 'empty pool patch', method: 'PATCH', url: () => `/api/v1/pools/${poolId}`, body: {}, field: /body/ },
    { name: 'limit over 100', method: 'GET', url: () => '/api/v1/pools?limit=101', field: /querystring\.limit/ },
    { name: 'page zero', method: 'GET', url: () => `/api/v1/pools/${poolId}/users?page=0`, field: /querystring\.page/ },
    { name: 'page not a number', method: 'GET', url: () => `/api/v1/pools/${poolId}/users?page=two`, field: /querystring\.page/ },
    { name: 'unknown query parameter', method: 'GET', url: () => `/api/v1/pools/${poolId}/users?sort=name`, field: /querystring\.sort is not a known field/ },
    { name: 'search without keyword', method: 'GET', url: () => `/api/v1/pools/${poolId}/users/search`, field: /querystring\.keyword is required/ },
    { name: 'user email malformed', method: 'POST', url: () => `/api/v1/pools/${poolId}/users`, body: { email: 'not-an-email' }, field: /body\.email has an invalid format/ },
    { name: 'user password too short', method: 'POST', url: () => `/api/v1/pools/${poolId}/users`, body: { username: 'x', password: 'short' }, field: /body\.password/ },
    { name: 'user password too long', method: 'POST', url: () => `/api/v1/pools/${poolId}/users`, body: { username: 'x', password: 'p'.repeat(257) }, field: /body\.password/ },
    { name: 'over-long profile field', method: 'POST', url: () => `/api/v1/pools/${poolId}/users`, body: { username: 'x', city: 'c'.repeat(1025) }, field: /body\.city/ },
    { name: 'blocked not a boolean', method: 'POST', url: () => `/api/v1/pools/${poolId}/users`, body: { username: 'x', blocked: 'yes' }, field: /body\.blocked must be boolean/ },
    { name: 'user with unknown field', method: 'POST', url: () => `/api/v1/pools/${poolId}/users`, body: { username: 'x', passwordHash: 'x' }, field: /body\.passwordHash is not a known field/ },
    { name: 'empty user patch', method: 'PATCH', url: () => `/api/v1/pools/${poolId}/users/${userId}`, body: {}, field: /body/ },
    { name: 'patch with id', method: 'PATCH', url: () => `/api/v1/pools/${poolId}/users/${userId}`, body: { id: 'x' }, field: /body\.id is not a known field/ },
    { name: 'verify without password', method: 'POST', url: () => `/api/v1/pools/${poolId}/users/${userId}/verify-password`, body: {}, field: /body\.password is required/ },
    { name: 'register without password', method: 'POST', url: () => `/api/v1/pools/${poolId}/auth/register`, body: { username: 'x' }, field: /body\.password is required/, admin: false },
    { name: 'register without identifier', method: 'POST', url: () => `/api/v1/pools/${poolId}/auth/register`, body: { password: 'long-enough-1' }, field: /at least one of email, username, phone/, admin: false },
    { name: 'login without password', method: 'POST', url: () => `/api/v1/pools/${poolId}/auth/login`, body: { account: 'ivan' }, field: /body\.password is required/, admin: false },
    { name: 'login without account', method: 'POST', url: () => `/api/v1/pools/${poolId}/auth/login`, body: { password: 'x' }, field: /exactly one of email, username, phone/, admin: false },
    { name: 'login with account and email', method: 'POST', url: () => `/api/v1/pools/${poolId}/auth/login`, body: { account: 'a', email: 'a@b.c', password: 'x' }, field: /account or one of/, admin: false },
    { name: 'login password of wrong type', method: 'POST', url: () => `/api/v1/pools/${poolId}/auth/login`, body: { account: 'ivan', password: 12345678 }, field: /body\.password must be string/, admin: false },
  ];

  for (const c of cases) {
    it(`answers 400 naming the field: ${c.name}`, async () => {
      const response = await t.request(c.method, c.url(), { body: c.body, token: c.admin === false ? null : ADMIN_TOKEN });
      expect(response.statusCode, response.body).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.message).toMatch(c.field);
      expect(typeof error.requestId).toBe('string');
    });
  }

  it('answers malformed JSON with 400 and changes nothing', async () => {
    const before = (await t.admin('GET', '/api/v1/pools')).json().totalCount;
    const response = await t.request('POST', '/api/v1/pools', {
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/json' },
      body: '{"name": "broken"',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_ERROR');
    expect((await t.admin('GET', '/api/v1/pools')).json().totalCount).toBe(before);
  });

  it('answers a wrong content type with 415', async () => {
    const response = await t.request('POST', '/api/v1/pools', {
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body over 1 MiB with 413 and changes nothing', async () => {
    const before = (await t.admin('GET', '/api/v1/pools')).json().totalCount;
    const response = await t.admin('POST', '/api/v1/pools', { name: 'big', metadata: { blob: 'x'.repeat(1024 * 1024) } });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.admin('GET', '/api/v1/pools')).json().totalCount).toBe(before);
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const response = await t.request('GET', '/api/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });
});
