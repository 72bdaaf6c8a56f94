/**
 * End-to-end suites of both custom database modes through the HTTP API alone, the way an
 * administrator uses them: a pool connected to a real, seeded user database with a
 * template saved unchanged. Run once per database kind.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { MASK } from '../../src/custom-db/config-secrets.js';
import { SAMPLE_USERS, samplePassword } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import type { LegacyDatabase } from '../support/legacy-databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DEFAULT_THROTTLE } from '../../src/config/config.js';

export type { LegacyDatabase };

const byUsername = (username: string) => {
  const user = SAMPLE_USERS.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`no sample user ${username}`);
  return user;
};
const alice = byUsername('alice');
const blocked = SAMPLE_USERS.find((user) => user.blocked);
const others = SAMPLE_USERS.filter((user) => !user.blocked && user.username !== 'alice');
const nth = (i: number) => {
  const user = others[i];
  if (!user) throw new Error(`no sample user #${i}`);
  return user;
};

async function connect(t: TestServer, legacy: LegacyDatabase, mode: 'LAZY_MIGRATION' | 'CUSTOM_USER_STORE', uri: string) {
  const poolId = await t.createPool(`${legacy.templateId} ${mode}`);
  const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
    enabled: true,
    mode,
    connection: { type: 'uri', uri },
    scripts: templateById(legacy.templateId).scripts,
    timeoutMs: 15_000,
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return poolId;
}

const loginCount = async (t: TestServer, poolId: string) =>
  ((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=500`)).json().list as { script: string }[]).filter(
    (entry) => entry.script === 'login',
  ).length;

export function lazyMigrationSuite(legacy: LegacyDatabase): void {
  let t: TestServer;
  let poolId: string;
  let legacyUri: string;
  const auth = (path: string) => `/api/v1/pools/${poolId}/auth/${path}`;
  const login = (account: string, password: string) => t.request('POST', auth('login'), { body: { account, password } });

  beforeAll(async () => {
    legacyUri = await legacy.setup();
    // The race below sends 20 logins of one account at once: more attempts in flight than
    // the default per-account budget, which the throttle counts before the password check.
    t = await startTestServer('postgres', { throttle: { ...DEFAULT_THROTTLE, maxFailuresPerAccount: 50 } });
    poolId = await connect(t, legacy, 'LAZY_MIGRATION', legacyUri);
  });
  afterAll(async () => {
    await t.close();
    await legacy.teardown();
  });

  it('migrates a user on the first login and never calls the script for them again', async () => {
    const first = await login(alice.email ?? '', samplePassword('alice'));
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().user).toMatchObject({ email: alice.email, username: 'alice', source: 'migrated', phone: alice.phone });
    expect(first.json().user.externalId).toEqual(expect.any(String));
    expect(await loginCount(t, poolId)).toBe(1);

    for (const account of [alice.email ?? '', 'alice', alice.phone ?? '']) {
      const again = await login(account, samplePassword('alice'));
      expect(again.statusCode).toBe(200);
      expect(again.json().user.id).toBe(first.json().user.id);
    }
    expect(await loginCount(t, poolId)).toBe(1);
    const me = await t.request('GET', auth('me'), { token: first.json().accessToken });
    expect(me.json()).toMatchObject({ username: 'alice', source: 'migrated' });
    expect(JSON.stringify(me.json())).not.toMatch(/\$2[aby]\$|argon2/);
  });

  it('shows migration progress and lists migrated users as migrated', async () => {
    const progress = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json();
    expect(progress.migratedUsers).toBe(1);
    expect(new Date(progress.lastMigratedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const search = (await t.admin('GET', `/api/v1/pools/${poolId}/users/search?keyword=alice`)).json();
    expect(search.list).toHaveLength(1);
    expect(search.list[0].source).toBe('migrated');
  });

  it('answers wrong password, unknown user and blocked user without migrating anyone', async () => {
    const bob = nth(0);
    expect((await login(bob.username ?? '', 'not-the-password')).statusCode).toBe(401);
    const unknown = await login('nobody-here@example.com', 'not-the-password');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('WRONG_USERNAME_OR_PASSWORD');
    if (blocked?.username) {
      const response = await login(blocked.username, samplePassword(blocked.username));
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('ACCOUNT_BLOCKED');
    }
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json().migratedUsers).toBe(1);
  });

  it('refuses to register an account that still lives in the old database', async () => {
    const carol = nth(1);
    for (const body of [{ email: carol.email }, { username: carol.username }, { phone: carol.phone }]) {
      const response = await t.request('POST', auth('register'), { body: { ...body, password: 'a-new-password' } });
      expect(response.statusCode, JSON.stringify(body)).toBe(409);
      expect(response.json().error.code).toBe('USER_EXISTS');
    }
    const admin = await t.admin('POST', `/api/v1/pools/${poolId}/users`, { email: carol.email, password: 'a-new-password' });
    expect(admin.statusCode).toBe(409);
    const fresh = await t.request('POST', auth('register'), { body: { email: 'brand-new@example.org', password: 'a-new-password' } });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().user.source).toBe('local');
  });

  it('creates exactly one local user when 20 first logins of the same user race', async () => {
    const dave = nth(2);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => login(dave.username ?? '', samplePassword(dave.username ?? ''))),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((r) => r.json().user.id)).size).toBe(1);
    const found = (await t.admin('GET', `/api/v1/pools/${poolId}/users/search?keyword=${dave.username}`)).json();
    expect(found.totalCount).toBe(1);
    expect(found.list[0].loginsCount).toBe(20);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json().migratedUsers).toBe(2);
  });

  it('does not migrate a user back after an admin deleted them', async () => {
    const erin = nth(3);
    const first = await login(erin.username ?? '', samplePassword(erin.username ?? ''));
    expect(first.statusCode).toBe(200);
    expect((await t.admin('DELETE', `/api/v1/pools/${poolId}/users/${first.json().user.id}`)).statusCode).toBe(204);
    const again = await login(erin.username ?? '', samplePassword(erin.username ?? ''));
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('WRONG_USERNAME_OR_PASSWORD');
  });

  it('keeps migrated users when the connection is disabled, and stops migrating new ones', async () => {
    await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: false });
    expect((await login('alice', samplePassword('alice'))).statusCode).toBe(200);
    const frank = nth(4);
    expect((await login(frank.username ?? '', samplePassword(frank.username ?? ''))).statusCode).toBe(401);
    await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: true });
    expect((await login(frank.username ?? '', samplePassword(frank.username ?? ''))).statusCode).toBe(200);
  });

  it('scrubs the connection password, env secrets and typed passwords from everything a script hands back', async () => {
    const uriPassword = 'uri-Secret-7q2w';
    const envSecret = 'env-Secret-k9wx';
    const typedPassword = 'typed-Secret-x4zv';
    const secrets = [uriPassword, envSecret, typedPassword];
    const uri = new URL(legacyUri);
    uri.password = uriPassword;
    // A careless script: it prints, throws and returns every secret it can reach. It does
    // not connect, so the URI only has to carry the password, not be accepted by the database.
    const leaky = `async function login(query, password, context) {
      const uri = env.DB_CONNECTION_URI;
      const uriPassword = uri.slice(uri.indexOf('//') + 2, uri.indexOf('@')).split(':')[1];
      console.log('connecting to', uri, 'as', uriPassword, 'key', env.API_KEY, 'for', password);
      if (JSON.stringify(query).includes('leak-error')) {
        throw new Error('cannot connect to ' + uri + ' as ' + uriPassword + ' key ' + env.API_KEY + ' for ' + password);
      }
      return { id: 'leak-1', username: 'leak-ok', nickname: [uriPassword, env.API_KEY, password].join(' ') };
    }`;
    const leakPool = await t.createPool('leaky script');
    const saved = await t.admin('PUT', `/api/v1/pools/${leakPool}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri: uri.toString() },
      env: { API_KEY: envSecret },
      scripts: { login: leaky, getUser: 'async function getUser(query, context) { return null; }' },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const expectNoSecret = (text: string, where: string) => {
      for (const secret of secrets) expect(text, `${where} holds ${secret}`).not.toContain(secret);
    };
    const leakLogin = (account: string) =>
      t.request('POST', `/api/v1/pools/${leakPool}/auth/login`, { body: { account, password: typedPassword } });
    const masked = `Error: cannot connect to ${MASK} as ${MASK} key ${MASK} for ${MASK}`;

    // the error message: into the log entry
    const failed = await leakLogin('leak-error');
    expect(failed.statusCode).toBe(502);
    expectNoSecret(failed.body, 'the failed login');
    // the result: into the migrated user and the login response
    const migrated = await leakLogin('leak-ok');
    expect(migrated.statusCode, migrated.body).toBe(200);
    expect(migrated.json().user.nickname).toBe([MASK, MASK, MASK].join(' '));
    expectNoSecret(migrated.body, 'the login response');
    // the console output, error and stack: into the debug answer (and one more log entry)
    const debug = await t.admin('POST', `/api/v1/pools/${leakPool}/custom-db/debug`, {
      script: 'login',
      args: [{ username: 'leak-error' }, typedPassword],
    });
    expect(debug.json().logs).toEqual([{ level: 'log', message: `connecting to ${MASK} as ${MASK} key ${MASK} for ${MASK}` }]);
    expect(`${debug.json().error.name}: ${debug.json().error.message}`).toBe(masked);
    expectNoSecret(debug.body, 'the debug answer');

    const logs = await t.admin('GET', `/api/v1/pools/${leakPool}/custom-db/logs`);
    const messages = (logs.json().list as { message: string }[]).map((entry) => entry.message);
    expect(messages.filter((message) => message === masked)).toHaveLength(2);
    expectNoSecret(logs.body, 'the log API');
    // what the store keeps (the read above flushed the log), and the migrated user's row
    const { rows } = await sql`select * from connection_logs where pool_id = ${leakPool}`.execute(t.server.store.db);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expectNoSecret(JSON.stringify(rows), 'the stored log rows');
    const users = await sql`select * from users where pool_id = ${leakPool}`.execute(t.server.store.db);
    expect(users.rows).toHaveLength(1);
    expectNoSecret(JSON.stringify(users.rows), 'the stored user');
  });
}

export function customUserStoreSuite(legacy: LegacyDatabase): void {
  let t: TestServer;
  let poolId: string;
  const users = (path = '') => `/api/v1/pools/${poolId}/users${path}`;

  beforeAll(async () => {
    const uri = await legacy.setup();
    t = await startTestServer('sqlite');
    poolId = await connect(t, legacy, 'CUSTOM_USER_STORE', uri);
  });
  afterAll(async () => {
    await t.close();
    await legacy.teardown();
  });

  it('lists and pages the users of the customer database', async () => {
    const limit = 5;
    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(SAMPLE_USERS.length / limit); page++) {
      const body = (await t.admin('GET', users(`?page=${page}&limit=${limit}`))).json();
      expect(body.totalCount).toBe(SAMPLE_USERS.length);
      expect(body.list.length).toBe(Math.min(limit, SAMPLE_USERS.length - (page - 1) * limit));
      expect(body.list[0]).toMatchObject({ source: 'custom-db', userPoolId: poolId });
      seen.push(...body.list.map((user: { email: string }) => user.email));
    }
    // every page a different slice: together exactly the seeded users, none twice
    expect([...seen].sort()).toEqual(SAMPLE_USERS.map((user) => user.email).sort());
  });

  it('searches, finds and gets through the scripts', async () => {
    const search = (await t.admin('GET', users('/search?keyword=alice'))).json();
    expect(search.list.map((u: { username: string }) => u.username)).toContain('alice');
    // a search that ignored its keyword would list everyone
    for (const user of search.list) expect(JSON.stringify(user).toLowerCase()).toContain('alice');
    expect(search.totalCount).toBeLessThan(SAMPLE_USERS.length);
    const found = await t.admin('GET', users(`/find?email=${encodeURIComponent(alice.email ?? '')}`));
    expect(found.statusCode).toBe(200);
    const got = await t.admin('GET', users(`/${found.json().id}`));
    expect(got.json()).toMatchObject({ username: 'alice', email: alice.email });
    expect((await t.admin('GET', users('/find?username=nobody-at-all'))).statusCode).toBe(404);
  });

  it('logs in through the login script and answers /me through getUser', async () => {
    const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'alice', password: samplePassword('alice') } });
    expect(login.statusCode, login.body).toBe(200);
    expect(login.json().user.source).toBe('custom-db');
    const me = await t.request('GET', `/api/v1/pools/${poolId}/auth/me`, { token: login.json().accessToken });
    expect(me.json()).toMatchObject({ username: 'alice', id: login.json().user.id });
    const wrong = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'alice', password: 'wrong-password' } });
    expect(wrong.statusCode).toBe(401);
    const unknown = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'nobody-at-all', password: 'wrong-password' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('WRONG_USERNAME_OR_PASSWORD');
  });

  it('creates, updates, verifies and deletes users in the customer database', async () => {
    const created = await t.admin('POST', users(), { username: 'gh_tester', email: 'gh-tester@example.org', password: 'zoe-password-1', nickname: 'Z' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await t.admin('POST', users(), { username: 'gh_tester', password: 'zoe-password-1' })).statusCode).toBe(409);

    const updated = await t.admin('PATCH', users(`/${id}`), { nickname: 'Zed', password: 'zoe-password-2' });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json().nickname).toBe('Zed');
    expect((await t.admin('POST', users(`/${id}/verify-password`), { password: 'zoe-password-2' })).json()).toEqual({ valid: true });
    expect((await t.admin('POST', users(`/${id}/verify-password`), { password: 'zoe-password-1' })).json()).toEqual({ valid: false });

    expect((await t.admin('DELETE', users(`/${id}`))).statusCode).toBe(204);
    expect((await t.admin('GET', users(`/${id}`))).statusCode).toBe(404);
    const again = await t.admin('DELETE', users(`/${id}`));
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('USER_NOT_FOUND');
  });

  it('registers end users into the customer database, refusing taken accounts', async () => {
    const register = (body: object) => t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body });
    const fresh = await register({ email: 'yan@example.org', password: 'yan-password-1' });
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(fresh.json().user.source).toBe('custom-db');
    // it landed in the customer database, with its password
    const stored = await t.admin('GET', users('/find?email=yan%40example.org'));
    expect(stored.json()).toMatchObject({ id: fresh.json().user.id, source: 'custom-db' });
    const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: 'yan@example.org', password: 'yan-password-1' } });
    expect(login.statusCode).toBe(200);
    expect((await register({ email: alice.email, password: 'whatever-pass' })).statusCode).toBe(409);
  });

  it('stores nothing about these users locally', async () => {
    expect((await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: false })).statusCode).toBe(200);
    expect((await t.admin('GET', users())).json().totalCount).toBe(0);
    expect((await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: true })).statusCode).toBe(200);
  });
}
