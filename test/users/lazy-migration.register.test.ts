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

  async function poolWithGetUser(getUser: string | null): Promise<string> {
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

  it('refuses a username or a phone that still lives in the old database, whichever identifiers come with it', async () => {
    const poolId = await poolWithGetUser(
      "async function getUser(query) { return query.username === 'legacy-user' || query.phone === '+15550300001' ? { id: '8', username: 'legacy-user', phone: '+15550300001' } : null; }",
    );
    const signUp = (body: Record<string, string | undefined>) =>
      t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { ...body, password: 'a-good-password-1' } });
    for (const body of [
      { email: 'one@example.com', username: 'legacy-user' },
      { email: 'two@example.com', phone: '+15550300001' },
      { username: 'someone-new', phone: '+15550300001' },
    ]) {
      const response = await signUp(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(409);
      expect(response.json().error.code).toBe('USER_EXISTS');
    }
    expect((await signUp({ email: 'three@example.com', username: 'someone-new', phone: '+15550300002' })).statusCode).toBe(201);
  });

  it('refuses an administrator\'s new user that still lives in the old database, too', async () => {
    const poolId = await poolWithGetUser("async function getUser(query) { return query.email === 'legacy@example.com' ? { id: '9' } : null; }");
    const create = (email: string) => t.admin('POST', `/api/v1/pools/${poolId}/users`, { email, password: 'a-good-password-1' });
    const refused = await create('legacy@example.com');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('USER_EXISTS');
    expect((await create('brand-new@example.com')).statusCode).toBe(201);
  });

  it('asks the old database one question per identifier the sign-up gives, and none about the others', async () => {
    // a script that cannot answer anything but one identifier with a value, as a SQL "where email = ?" could not
    const poolId = await poolWithGetUser(
      "async function getUser(query) { const values = typeof query === 'object' && query !== null ? Object.values(query) : []; if (values.length !== 1 || typeof values[0] !== 'string' || values[0] === '') throw new Error('not one identifier'); return null; }",
    );
    for (const body of [{ email: 'only-email@example.com' }, { username: 'only-username' }, { phone: '+15550300003' }]) {
      const response = await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { ...body, password: 'a-good-password-1' } });
      expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(201);
    }
  });

  it('fails closed, naming the script, when the pool has no getUser script', async () => {
    const poolId = await poolWithGetUser(null);
    const response = await register(poolId, 'unchecked@example.com');
    expect(response.statusCode).toBe(501);
    expect(response.json().error).toMatchObject({ code: 'SCRIPT_NOT_IMPLEMENTED', message: expect.stringContaining('Get user') });
  });

  it('fails closed when getUser fails for another reason', async () => {
    const poolId = await poolWithGetUser("async function getUser() { throw new Error('database down'); }");
    const response = await register(poolId, 'down@example.com');
    expect(response.statusCode).toBe(502);
    expect(response.json().error.code).toBe('CUSTOM_DB_ERROR');
  });
});
