import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';

describeEachDialect('no response ever contains a password or its hash', (dialect) => {
  let t: TestServer;
  const bodies: string[] = [];
  const PASSWORD = 'plain-secret-password-1';

  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(() => t.close());

  it('holds across every endpoint of a full session', async () => {
    const record = async (response: Promise<{ body: string; statusCode: number }>) => {
      const r = await response;
      bodies.push(r.body);
      return r;
    };
    const poolId = await t.createPool();
    const users = `/api/v1/pools/${poolId}/users`;
    const created = await record(t.admin('POST', users, { username: 'judy', email: 'judy@example.com', password: PASSWORD }));
    const id = JSON.parse(created.body).id as string;
    await record(t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { username: 'ken', password: PASSWORD } }));
    const login = await record(t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'judy', password: PASSWORD } }));
    await record(t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'judy', password: 'wrong' + PASSWORD } }));
    await record(t.request('GET', `/api/v1/pools/${poolId}/auth/me`, { token: JSON.parse(login.body).accessToken }));
    await record(t.admin('GET', users));
    await record(t.admin('GET', `${users}/search?keyword=ju`));
    await record(t.admin('GET', `${users}/find?username=judy`));
    await record(t.admin('GET', `${users}/${id}`));
    await record(t.admin('PATCH', `${users}/${id}`, { password: 'new-' + PASSWORD }));
    await record(t.admin('POST', `${users}/${id}/verify-password`, { password: PASSWORD }));
    await record(t.admin('POST', users, { username: 'judy', password: PASSWORD }));
    await record(t.request('GET', '/api/openapi.json'));

    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) {
      expect(body).not.toContain(PASSWORD);
      expect(body).not.toMatch(/\$argon2|\$2[aby]\$|passwordHash|password_hash/);
    }
  });
});
