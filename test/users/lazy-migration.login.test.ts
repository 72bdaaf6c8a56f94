import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Lazy migration's login against an "old database" that lives inside the login script
 * itself, so the rules of the directory are checked without a legacy database server
 * (test/custom-db/ runs the same flow against real PostgreSQL and MySQL templates).
 */
const LEGACY_LOGIN = `async function login(query, password, context) {
  const legacy = [
    { id: 101, username: 'ada', email: 'ada@legacy.example', phone: '+15550200001', password: 'ada-password', nickname: 'Ada', signedUp: '2020-01-02T03:04:05.000Z', createdAt: '2019-01-01T00:00:00.000Z' },
    { id: 102, username: 'ben', password: 'ben-password', blocked: 1 },
    { id: 103, username: 'cy', email: 'taken@example.com', password: 'cy-password' },
    { id: 104, username: 'dee', password: 'dee-password', createdAt: '2019-05-06T07:08:09.000Z' },
    { id: 105, username: 'eve', password: 'eve-password' },
    { id: 106, username: 'fay', password: 'fay-password' },
    { id: 107, username: 'gus', password: 'gus-password' },
    { id: 108, username: 'hal', password: 'hal-password' },
  ];
  if (query.username === 'broken') throw new Error('old database unreachable');
  const [field] = Object.keys(query);
  const row = legacy.find((user) => user[field] !== undefined && user[field] === query[field]);
  if (!row) throw new UserNotFoundError();
  if (row.password !== password) throw new WrongUsernameOrPasswordError();
  const { password: _dropped, ...profile } = row;
  // hal's old database keeps where he last signed in from: the caller, as context tells it
  if (row.username === 'hal') profile.nickname = context.request.ip + ' / ' + context.request.userAgent;
  return profile;
}`;

describe('lazy migration: login', () => {
  let t: TestServer;
  let poolId: string;
  const login = (body: Record<string, string | undefined>, headers: Record<string, string> = {}) =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body, headers });
  const scriptLogins = async () =>
    ((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=500`)).json().list as { script: string }[]).filter(
      (entry) => entry.script === 'login',
    ).length;
  const localUsers = async (keyword: string) =>
    (await t.admin('GET', `/api/v1/pools/${poolId}/users/search?keyword=${keyword}`)).json().list as Array<Record<string, unknown>>;

  beforeAll(async () => {
    // throttling has its own suites; the race below sends many logins of one account
    t = await startTestServer('sqlite', { throttle: { maxFailuresPerAccount: 1000, maxFailuresPerAddress: 1000, windowSeconds: 60 } });
    poolId = await t.createPool();
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: null,
      scripts: { login: LEGACY_LOGIN, getUser: 'async function getUser() { return null; }' },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(() => t.close());

  it('copies a user the old database vouches for into the own store on the first login, with its profile and external id', async () => {
    const response = await login({ email: 'ada@legacy.example', password: 'ada-password' });
    expect(response.statusCode, response.body).toBe(200);
    const { user } = response.json();
    expect(user).toMatchObject({
      username: 'ada',
      email: 'ada@legacy.example',
      phone: '+15550200001',
      nickname: 'Ada',
      source: 'migrated',
      externalId: '101',
      signedUp: '2020-01-02T03:04:05.000Z',
      blocked: false,
      loginsCount: 1,
      lastIP: '127.0.0.1',
    });
    expect(user.id).not.toBe('101');
    expect(JSON.stringify(user)).not.toMatch(/password|argon2/i);
    const stored = await localUsers('ada');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: user.id, source: 'migrated' });
  });

  it('answers later logins from the local copy, by any identifier, without calling the script again', async () => {
    const callsBefore = await scriptLogins();
    for (const body of [{ username: 'ada' }, { phone: '+15550200001' }, { email: 'ADA@legacy.example' }]) {
      const response = await login({ ...body, password: 'ada-password' });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().user).toMatchObject({ username: 'ada', source: 'migrated' });
    }
    // the local copy checks the password against the hash made at migration
    const wrong = await login({ username: 'ada', password: 'not-adas-password' });
    expect(wrong.statusCode).toBe(401);
    expect(await scriptLogins()).toBe(callsBefore);
    const me = await login({ username: 'ada', password: 'ada-password' });
    expect(me.json().user.loginsCount).toBe(5);
  });

  it('tells the login script who is calling (address and user agent) in context.request', async () => {
    const response = await login({ username: 'hal', password: 'hal-password' }, { 'user-agent': 'hal-browser/1.0' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user.nickname).toBe('127.0.0.1 / hal-browser/1.0');
  });

  it('keeps the old database\'s sign-up time, or its creation time when it has none', async () => {
    const response = await login({ username: 'dee', password: 'dee-password' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user.signedUp).toBe('2019-05-06T07:08:09.000Z');
  });

  it('answers a wrong password and an unknown account with the same 401, migrating nobody', async () => {
    const wrong = await login({ username: 'eve', password: 'not-eves-password' });
    const unknown = await login({ username: 'nobody', password: 'whatever' });
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'WRONG_USERNAME_OR_PASSWORD', message: 'Wrong username or password' });
    }
    expect(await localUsers('eve')).toEqual([]);
  });

  it('answers 403 to a user the old database marks as blocked, and does not migrate them', async () => {
    const response = await login({ username: 'ben', password: 'ben-password' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toMatchObject({ code: 'ACCOUNT_BLOCKED', message: 'This account is blocked' });
    expect(await localUsers('ben')).toEqual([]);
  });

  it('answers 502 when the login script fails, and migrates nobody', async () => {
    const response = await login({ username: 'broken', password: 'whatever' });
    expect(response.statusCode).toBe(502);
    expect(response.json().error.code).toBe('CUSTOM_DB_ERROR');
  });

  it('does not bring back a migrated user an administrator deleted', async () => {
    const first = await login({ username: 'fay', password: 'fay-password' });
    expect(first.statusCode).toBe(200);
    const deleted = await t.admin('DELETE', `/api/v1/pools/${poolId}/users/${first.json().user.id}`);
    expect(deleted.statusCode).toBeLessThan(300);
    const again = await login({ username: 'fay', password: 'fay-password' });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('WRONG_USERNAME_OR_PASSWORD');
    expect(await localUsers('fay')).toEqual([]);
  });

  it('refuses with 409 a user whose email already belongs to a different local user, leaving both as they were', async () => {
    const local = await t.admin('POST', `/api/v1/pools/${poolId}/users`, { username: 'local-cy', email: 'taken@example.com', password: 'local-password' });
    expect(local.statusCode, local.body).toBe(201);
    const response = await login({ username: 'cy', password: 'cy-password' });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('USER_EXISTS');
    expect(response.json().error.message).toMatch(/administrator must resolve/);
    expect(await localUsers('taken')).toEqual([expect.objectContaining({ username: 'local-cy', source: 'local' })]);
  });

  it('creates exactly one local user when first logins of one user race, and answers every one of them with it', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, () => login({ username: 'gus', password: 'gus-password' })));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(6).fill(200));
    const ids = new Set(responses.map((response) => response.json().user.id as string));
    expect(ids.size).toBe(1);
    expect(await localUsers('gus')).toHaveLength(1);
  });
});
