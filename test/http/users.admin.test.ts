import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';

describeEachDialect('admin users API (local users)', (dialect) => {
  let t: TestServer;
  let poolId: string;
  const users = () => `/api/v1/pools/${poolId}/users`;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    poolId = await t.createPool();
    for (const [username, nickname] of [['frank', 'Frankie'], ['grace', 'Gracie'], ['heidi', 'Heidi_x']] as const) {
      const response = await t.admin('POST', users(), {
        username,
        email: `${username}@example.com`,
        nickname,
        password: `${username}-password`,
        givenName: username.toUpperCase(),
        address: '1 Main St',
      });
      expect(response.statusCode).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('creates a user with the full profile shape and no password in the answer', async () => {
    const response = await t.admin('POST', users(), { phone: '+15550002222', emailVerified: true, company: 'Acme' });
    expect(response.statusCode).toBe(201);
    const user = response.json();
    expect(user).toMatchObject({ phone: '+15550002222', emailVerified: true, company: 'Acme', source: 'local', email: null });
    for (const field of ['photo', 'givenName', 'postalCode', 'externalId', 'lastIP', 'createdAt', 'updatedAt']) {
      expect(user).toHaveProperty(field);
    }
    expect(Object.keys(user).some((key) => /password/i.test(key))).toBe(false);
  });

  it('lists with paging and totalCount', async () => {
    const first = (await t.admin('GET', `${users()}?page=1&limit=2`)).json();
    const second = (await t.admin('GET', `${users()}?page=2&limit=2`)).json();
    expect(first.totalCount).toBeGreaterThanOrEqual(3);
    expect(first.list).toHaveLength(2);
    expect(second.list[0].id).not.toBe(first.list[0].id);
    expect((await t.admin('GET', users())).json().list.length).toBeLessThanOrEqual(10);
  });

  it('searches email, username, phone and nickname, with LIKE characters taken literally', async () => {
    const search = async (keyword: string) =>
      (await t.admin('GET', `${users()}/search?keyword=${encodeURIComponent(keyword)}`)).json();
    expect((await search('GRACE')).list.map((u: { username: string }) => u.username)).toEqual(['grace']);
    expect((await search('frankie')).totalCount).toBe(1);
    expect((await search('example.com')).totalCount).toBe(3);
    expect((await search('_')).list.map((u: { username: string }) => u.username)).toEqual(['heidi']);
    expect((await search('%')).totalCount).toBe(0);
    expect((await search('5550002222')).totalCount).toBe(1);
  });

  it('finds by exactly one of email, username or phone', async () => {
    const byEmail = await t.admin('GET', `${users()}/find?email=FRANK@example.com`);
    expect(byEmail.statusCode).toBe(200);
    expect(byEmail.json().username).toBe('frank');
    expect((await t.admin('GET', `${users()}/find?username=grace`)).json().email).toBe('grace@example.com');
    const missing = await t.admin('GET', `${users()}/find?username=nobody`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('USER_NOT_FOUND');
    for (const query of ['', '?email=a@b.c&username=x']) {
      const bad = await t.admin('GET', `${users()}/find${query}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/exactly one of email, username, phone/);
    }
  });

  it('gets, updates (re-hashing a new password), verifies and deletes', async () => {
    const frank = (await t.admin('GET', `${users()}/find?username=frank`)).json();
    expect((await t.admin('GET', `${users()}/${frank.id}`)).json()).toEqual(frank);

    const updated = await t.admin('PATCH', `${users()}/${frank.id}`, { nickname: 'Franky', city: 'Oslo', password: 'new-frank-password' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ nickname: 'Franky', city: 'Oslo', givenName: 'FRANK', address: '1 Main St' });

    const verify = (password: string) => t.admin('POST', `${users()}/${frank.id}/verify-password`, { password });
    expect((await verify('new-frank-password')).json()).toEqual({ valid: true });
    expect((await verify('frank-password')).json()).toEqual({ valid: false });
    const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'frank', password: 'new-frank-password' } });
    expect(login.statusCode).toBe(200);

    const cleared = await t.admin('PATCH', `${users()}/${frank.id}`, { city: null });
    expect(cleared.json().city).toBeNull();

    expect((await t.admin('DELETE', `${users()}/${frank.id}`)).statusCode).toBe(204);
    for (const [method, path, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { nickname: 'x' }],
      ['DELETE', '', undefined],
      ['POST', '/verify-password', { password: 'whatever' }],
    ] as const) {
      const response = await t.admin(method, `${users()}/${frank.id}${path}`, body);
      expect(response.statusCode, `${method} ${path}`).toBe(404);
      expect(response.json().error.code).toBe('USER_NOT_FOUND');
    }
  });

  it('answers 409 when a create or update would take another user\'s email', async () => {
    const dup = await t.admin('POST', users(), { email: 'Grace@Example.com' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('USER_EXISTS');
    const heidi = (await t.admin('GET', `${users()}/find?username=heidi`)).json();
    const clash = await t.admin('PATCH', `${users()}/${heidi.id}`, { username: 'GRACE' });
    expect(clash.statusCode).toBe(409);
  });

  it('keeps users of different pools apart', async () => {
    const other = await t.createPool('other');
    expect((await t.admin('GET', `/api/v1/pools/${other}/users/find?username=grace`)).statusCode).toBe(404);
    const grace = (await t.admin('GET', `${users()}/find?username=grace`)).json();
    expect((await t.admin('GET', `/api/v1/pools/${other}/users/${grace.id}`)).statusCode).toBe(404);
  });

  it('answers POOL_NOT_FOUND for users of an unknown pool', async () => {
    const response = await t.admin('GET', '/api/v1/pools/nope/users');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('POOL_NOT_FOUND');
  });
});
