import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Registration in lazy migration asks the old database (getUser) whether the account is
 * still there. Scripts answer "no such user" either by returning null or by throwing
 * UserNotFoundError; both must read as "free to register", not as a 404.
 */
describe('lazy migration: registration checks the old database', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t.close());

  async function poolWithGetUser(getUser: string): Promise<string> {
    const poolId = await t.createPool();
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: null,
      scripts: {
        login: 'async function login() { throw new WrongUsernameOrPasswordError(); }',
        getUser,
      },
    });
    expect(saved.statusCode).toBe(200);
    return poolId;
  }

  const register = (poolId: string, email: string) =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { email, password: 'a-good-password-1' } });

  it('registers when getUser throws UserNotFoundError', async () => {
    const poolId = await poolWithGetUser('async function getUser() { throw new UserNotFoundError(); }');
    const response = await register(poolId, 'new@example.com');
    expect(response.statusCode).toBe(201);
    expect(response.json().user.email).toBe('new@example.com');
  });

  it('registers when getUser returns null', async () => {
    const poolId = await poolWithGetUser('async function getUser() { return null; }');
    expect((await register(poolId, 'other@example.com')).statusCode).toBe(201);
  });

  it('refuses an account that still lives in the old database', async () => {
    const poolId = await poolWithGetUser("async function getUser(query) { return { id: '7', email: query.email }; }");
    const response = await register(poolId, 'legacy@example.com');
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('USER_EXISTS');
  });

  it('fails closed when getUser fails for another reason', async () => {
    const poolId = await poolWithGetUser("async function getUser() { throw new Error('database down'); }");
    const response = await register(poolId, 'down@example.com');
    expect(response.statusCode).toBe(502);
    expect(response.json().error.code).toBe('CUSTOM_DB_ERROR');
  });
});
