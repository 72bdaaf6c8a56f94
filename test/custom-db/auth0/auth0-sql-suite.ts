/**
 * Auth0's custom database scripts, run unchanged (dialect `auth0`) against a real database:
 * the import endpoint, lazy migration and the custom user store through the API, and every
 * Auth0 script through debug with Auth0's arguments. Run for PostgreSQL and MariaDB.
 */
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.js';

export interface Auth0LegacyDatabase {
  /** Makes the database and its table; answers the configuration its scripts read. */
  setup(): Promise<Record<string, string>>;
  /** One statement with `?`-free literal values (test data only). */
  exec(sql: string): Promise<void>;
  teardown(): Promise<void>;
  scripts: Record<string, string>;
  getUserById: string;
}

export const API_KEY = 'configuration-secret-0f9e8d';

function auth0Connection(legacy: Auth0LegacyDatabase, configuration: Record<string, string>, importMode: boolean) {
  return {
    id: 'con_ignored123',
    name: 'legacy-db',
    strategy: 'auth0',
    enabled_clients: ['ignored'],
    realms: ['legacy-db'],
    options: {
      mfa: { active: true },
      passwordPolicy: 'good',
      import_mode: importMode,
      enabledDatabaseCustomization: true,
      brute_force_protection: true,
      customScripts: legacy.scripts,
      configuration: { ...configuration, API_KEY },
    },
  };
}

async function seed(legacy: Auth0LegacyDatabase): Promise<void> {
  const hash = (password: string) => bcrypt.hashSync(password, 4);
  await legacy.exec(`INSERT INTO accounts (email, username, display_name, pass_hash) VALUES ('alice@example.org', 'alice', 'Alice Liddell', '${hash('alice-pass-1')}')`);
  await legacy.exec(`INSERT INTO accounts (email, username, display_name, pass_hash, disabled) VALUES ('bob@example.org', 'bob', 'Bob', '${hash('bob-pass-1')}', ${'true'})`);
}

/** `true` is 1 in MariaDB and true in PostgreSQL: both accept the literal TRUE. */
export function lazyMigrationWithAuth0Scripts(legacy: Auth0LegacyDatabase): void {
  let t: TestServer;
  let poolId: string;
  const login = (account: string, password: string) => t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account, password } });

  beforeAll(async () => {
    const configuration = await legacy.setup();
    await seed(legacy);
    t = await startTestServer('sqlite');
    poolId = await t.createPool('Auth0 lazy');
    const imported = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/import-auth0`, auth0Connection(legacy, configuration, true));
    expect(imported.statusCode, imported.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await legacy.teardown();
  });

  it('imports the connection as lazy migration, its configuration masked like any env value', async () => {
    const saved = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db`)).json();
    expect(saved).toMatchObject({ enabled: true, mode: 'LAZY_MIGRATION', dialect: 'auth0', env: { API_KEY: '********' } });
    expect(saved.scripts.get_user).toBe(legacy.scripts['get_user']);
    expect(JSON.stringify(saved)).not.toContain(API_KEY);
  });

  it('migrates a user on first login through Auth0 login, mapping the Auth0 profile', async () => {
    const response = await login('alice@example.org', 'alice-pass-1');
    expect(response.statusCode, response.body).toBe(200);
    const user = response.json().user;
    expect(user).toMatchObject({
      source: 'migrated',
      externalId: '1',
      email: 'alice@example.org',
      username: 'alice',
      name: 'Alice Liddell',
      emailVerified: false,
      photo: 'https://pictures.example.org/1.png',
      givenName: 'Given alice',
    });
    // Migrated: the second login is answered locally, with the same user.
    const again = await login('alice', 'alice-pass-1');
    expect(again.json().user.id).toBe(user.id);
  });

  it('answers wrong passwords, unknown users and UnauthorizedError as Gatehouse does', async () => {
    const wrong = await login('carol@example.org', 'nope');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('WRONG_USERNAME_OR_PASSWORD');
    const blocked = await login('bob@example.org', 'bob-pass-1');
    expect(blocked.statusCode, blocked.body).toBe(403);
    expect(blocked.json().error.code).toBe('ACCOUNT_BLOCKED');
  });

  it('refuses sign-ups whose email Auth0 get_user still finds, and lets others in', async () => {
    const register = (email: string) => t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { email, password: 'new-pass-123' } });
    const taken = await register('bob@example.org');
    expect(taken.statusCode, taken.body).toBe(409);
    expect(taken.json().error.code).toBe('USER_EXISTS');
    expect((await register('newcomer@example.org')).statusCode).toBe(201);
  });
}

export function customUserStoreWithAuth0Scripts(legacy: Auth0LegacyDatabase): void {
  let t: TestServer;
  let poolId: string;
  const users = (path = '') => `/api/v1/pools/${poolId}/users${path}`;
  const login = (account: string, password: string) => t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account, password } });
  const debug = (script: string, args: unknown[]) => t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script, args });

  beforeAll(async () => {
    const configuration = await legacy.setup();
    await seed(legacy);
    t = await startTestServer('sqlite');
    poolId = await t.createPool('Auth0 store');
    const imported = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/import-auth0`, auth0Connection(legacy, configuration, false));
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().mode).toBe('CUSTOM_USER_STORE');
    const companion = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { scripts: { getUser: legacy.getUserById } });
    expect(companion.statusCode, companion.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await legacy.teardown();
  });

  it('signs users in by username through Auth0 login, the auth0| prefix dropped from the id', async () => {
    const response = await login('alice', 'alice-pass-1');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user).toMatchObject({ id: '1', source: 'custom-db', email: 'alice@example.org' });
    expect((await login('alice', 'wrong')).statusCode).toBe(401);
    expect((await login('bob', 'bob-pass-1')).json().error.code).toBe('ACCOUNT_BLOCKED');
  });

  it('creates users through Auth0 create (id from get_user); ValidationError user_exists is 409', async () => {
    const created = await t.admin('POST', users(), { email: 'zoe@example.org', username: 'zoe', name: 'Zoe', password: 'zoe-pass-1' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ id: '3', email: 'zoe@example.org', name: 'Zoe' });
    const again = await t.admin('POST', users(), { email: 'zoe@example.org', password: 'zoe-pass-2' });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error.code).toBe('USER_EXISTS');
    expect((await login('zoe@example.org', 'zoe-pass-1')).statusCode).toBe(200);
  });

  it('changes passwords through change_password, checks them through login', async () => {
    const changed = await t.admin('PATCH', users('/1'), { password: 'alice-pass-2' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await login('alice', 'alice-pass-2')).statusCode).toBe(200);
    expect((await login('alice', 'alice-pass-1')).statusCode).toBe(401);
    expect((await t.admin('POST', users('/1/verify-password'), { password: 'alice-pass-2' })).json()).toEqual({ valid: true });
    expect((await t.admin('POST', users('/1/verify-password'), { password: 'alice-pass-1' })).json()).toEqual({ valid: false });
  });

  it('verifies emails through verify and changes them through change_email', async () => {
    const verified = await t.admin('PATCH', users('/1'), { emailVerified: true });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toMatchObject({ emailVerified: true });
    const moved = await t.admin('PATCH', users('/1'), { email: 'alice@new.example.org' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ email: 'alice@new.example.org', emailVerified: false });
    const unsupported = await t.admin('PATCH', users('/1'), { nickname: 'Al' });
    expect(unsupported.statusCode).toBe(501);
    expect(unsupported.json().error.code).toBe('SCRIPT_NOT_IMPLEMENTED');
  });

  it('deletes users through Auth0 delete (remove)', async () => {
    expect((await t.admin('DELETE', users('/3'))).statusCode).toBe(204);
    expect((await t.admin('GET', users('/3'))).statusCode).toBe(404);
  });

  it('answers list and search 501: Auth0 has no such scripts', async () => {
    const list = await t.admin('GET', users());
    expect(list.statusCode).toBe(501);
    expect(list.json().error.code).toBe('SCRIPT_NOT_IMPLEMENTED');
  });

  it("debugs every Auth0 script with Auth0's arguments, the password masked", async () => {
    const signedIn = (await debug('login', ['bob', 'bob-pass-1'])).json();
    expect(signedIn).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'AccountBlockedError' } });
    const found = (await debug('get_user', ['alice@new.example.org'])).json();
    expect(found).toMatchObject({ ok: true, result: { email: 'alice@new.example.org', picture: 'https://pictures.example.org/1.png' } });
    expect((await debug('get_user', ['nobody@example.org'])).json()).toMatchObject({ ok: true, result: null });
    expect((await debug('create', [{ email: 'dbg@example.org', password: 'dbg-pass-1' }])).json()).toMatchObject({ ok: true, result: null });
    expect((await debug('verify', ['dbg@example.org'])).json()).toMatchObject({ ok: true, result: true });
    expect((await debug('change_password', ['dbg@example.org', 'dbg-pass-2'])).json()).toMatchObject({ ok: true, result: true });
    expect((await debug('change_email', ['dbg@example.org', 'dbg2@example.org', true])).json()).toMatchObject({ ok: true, result: true });
    const logged = (await debug('login', ['dbg2@example.org', 'dbg-pass-2'])).json();
    expect(logged).toMatchObject({ ok: true, result: { email: 'dbg2@example.org', email_verified: true } });
    expect(JSON.stringify(logged)).not.toContain('dbg-pass-2');
    const id = String(logged.result.user_id).replace('auth0|', '');
    expect((await debug('delete', [id])).json()).toMatchObject({ ok: true, result: null });
    expect((await debug('get_user', ['dbg2@example.org'])).json()).toMatchObject({ ok: true, result: null });
    const log = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs`)).json().list as { script: string }[];
    expect(new Set(log.map((entry) => entry.script))).toEqual(new Set(['login', 'get_user', 'create', 'verify', 'change_password', 'change_email', 'delete', 'getUser', 'listUsers', 'updateUser']));
  });
}
