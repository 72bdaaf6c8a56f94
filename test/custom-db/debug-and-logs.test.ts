import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const ENV_SECRET = 'very-secret-env-value-42';

const SCRIPTS = {
  login: `async function login(query, password, context) {
    console.log('looking up', query.email ?? query.username);
    if (query.username === 'slow') await new Promise(() => {});
    if (query.username === 'boom') throw new Error('database exploded for ' + password + ' using ' + env.API_KEY);
    if (query.username === 'blocked') throw new AccountBlockedError();
    if (query.username === 'missing') throw new UserNotFoundError();
    if (query.username === 'noid') return { email: 'x@example.com' };
    if (password !== 'right-password') throw new WrongUsernameOrPasswordError();
    return { id: 7, username: query.username, email: query.username + '@example.com', nickname: context.userPoolName };
  }`,
  getUser: `async function getUser(query, context) {
    return query.id === '7' || query.username === 'ok' ? { id: '7', username: 'ok' } : null;
  }`,
  createUser: `async function createUser(userinfo, context) { throw new UserExistsError('taken'); }`,
  listUsers: `async function listUsers(page, limit, context) { return { list: [] }; }`,
};

describe('debugging scripts, the connection log and failure mapping', () => {
  let t: TestServer;
  let poolId: string;
  const debug = (script: string, args: unknown[]) => t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script, args });
  const login = (username: string, password = 'right-password') =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username, password } });

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool('Debug pool');
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'CUSTOM_USER_STORE',
      env: { API_KEY: ENV_SECRET },
      scripts: SCRIPTS,
      timeoutMs: 500,
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(() => t.close());

  it('debugs a login: result, captured console output and duration, with context filled in', async () => {
    const response = await debug('login', [{ username: 'ann' }, 'right-password']);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.ok).toBe(true);
    expect(body.result).toEqual({ id: 7, username: 'ann', email: 'ann@example.com', nickname: 'Debug pool' });
    expect(body.logs).toEqual([{ level: 'log', message: 'looking up ann' }]);
    expect(body.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('debugs a failure: kind, name, message and stack, with secrets masked', async () => {
    const body = (await debug('login', [{ username: 'boom' }, 'the-password-typed'])).json();
    expect(body.ok).toBe(false);
    expect(body.error).toMatchObject({ kind: 'runtime', name: 'Error' });
    expect(body.error.message).toBe('database exploded for ******** using ********');
    expect(typeof body.error.stack).toBe('string');
    expect(JSON.stringify(body)).not.toContain(ENV_SECRET);
  });

  it('debugs typed errors, invalid results, timeouts and default scripts', async () => {
    expect((await debug('login', [{ username: 'blocked' }, 'x'])).json().error).toMatchObject({ kind: 'runtime', name: 'AccountBlockedError' });
    expect((await debug('login', [{ username: 'noid' }, 'x'])).json().error.kind).toBe('invalid_result');
    expect((await debug('listUsers', [1, 10])).json().error.kind).toBe('invalid_result');
    const slow = (await debug('login', [{ username: 'slow' }, 'x'])).json();
    expect(slow.error.kind).toBe('timeout');
    expect(slow.durationMs).toBeLessThan(1000);
    expect((await debug('deleteUser', ['7'])).json().error).toMatchObject({
      kind: 'not_implemented',
      message: 'Please implement the Delete user script for this database connection',
    });
  });

  it('validates the debug request', async () => {
    for (const body of [{ script: 'nope', args: [] }, { script: 'login' }, { script: 'login', args: [1, 2, 3] }]) {
      const response = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('maps script outcomes to the API codes', async () => {
    const cases: [string, number, string][] = [
      ['ann', 200, ''],
      ['boom', 502, 'CUSTOM_DB_ERROR'],
      ['slow', 504, 'CUSTOM_DB_TIMEOUT'],
      ['blocked', 403, 'ACCOUNT_BLOCKED'],
      ['missing', 401, 'WRONG_USERNAME_OR_PASSWORD'],
      ['noid', 502, 'CUSTOM_DB_ERROR'],
    ];
    for (const [username, status, code] of cases) {
      const response = await login(username);
      expect(response.statusCode, username).toBe(status);
      if (code) expect(response.json().error.code).toBe(code);
    }
    expect((await login('ann', 'wrong')).json().error.code).toBe('WRONG_USERNAME_OR_PASSWORD');
    const boom = await login('boom');
    expect(boom.json().error.message).toBe('The custom database script failed; its connection log has the details');
    expect(boom.body).not.toContain('exploded');

    expect((await t.admin('POST', `/api/v1/pools/${poolId}/users`, { username: 'x' })).statusCode).toBe(409);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/users/find?username=other`)).statusCode).toBe(404);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/users`)).statusCode).toBe(502);
    const notImplemented = await t.admin('DELETE', `/api/v1/pools/${poolId}/users/7`);
    expect(notImplemented.statusCode).toBe(501);
  });

  it('keeps the next call working after a timeout replaced the runtime', async () => {
    expect((await login('slow')).statusCode).toBe(504);
    expect((await login('ann')).statusCode).toBe(200);
  });

  it('logs every run newest first with outcome, duration and the masked message', async () => {
    await login('boom', 'log-password-123');
    const response = await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=3`);
    expect(response.statusCode).toBe(200);
    const { list } = response.json();
    expect(list).toHaveLength(3);
    expect(list[0]).toMatchObject({ script: 'login', outcome: 'runtime', message: 'Error: database exploded for ******** using ********' });
    expect(list[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(list[0].at >= list[1].at).toBe(true);
    const all = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=500`)).json().list as { outcome: string }[];
    expect(new Set(all.map((entry) => entry.outcome))).toEqual(
      new Set(['success', 'runtime', 'timeout', 'rejected', 'invalid_result', 'not_implemented']),
    );
    const text = JSON.stringify(all);
    expect(text).not.toContain('log-password-123');
    expect(text).not.toContain('right-password');
    expect(text).not.toContain(ENV_SECRET);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=0`)).statusCode).toBe(400);
  });
});
