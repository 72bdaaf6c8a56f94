import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { eventually } from '../script-runtime/helpers.js';

const LOGIN = `async function login(query, password, context) {
  return { id: 'legacy-1', email: query.email };
}`;

describe('a saved connection is loaded into a runtime before its first login', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite', {}, { runtimes: { warmSpare: true } });
  });
  afterAll(() => t.close());

  it('the save binds a runtime with the new scripts, and the first login is answered by it', async () => {
    const poolId = await t.createPool();
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: true, mode: 'CUSTOM_USER_STORE', scripts: { login: LOGIN } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await eventually(() => t.server.runtimes.runtimePid(poolId) !== undefined)).toBe(true);
    const prepared = t.server.runtimes.runtimePid(poolId);
    const coldStarts = t.server.runtimes.stats().coldStarts;

    const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { email: 'ann@example.com', password: 'pw' }, token: null });
    expect(login.statusCode, login.body).toBe(200);
    expect(t.server.runtimes.runtimePid(poolId)).toBe(prepared);
    expect(t.server.runtimes.stats().coldStarts).toBe(coldStarts);
  });

  it('a disabled connection is not given a runtime', async () => {
    const poolId = await t.createPool();
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: false, mode: 'CUSTOM_USER_STORE', scripts: { login: LOGIN } });
    expect(saved.statusCode, saved.body).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.server.runtimes.runtimePid(poolId)).toBeUndefined();
  });
});
