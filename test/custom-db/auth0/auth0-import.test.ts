/**
 * POST …/custom-db/import-auth0 and the `dialect` field: what an Auth0 export saves as,
 * the import_mode switch, configuration masked and kept, and bad input named by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.js';

const LOGIN = 'function login(email, password, callback) { callback(null, { user_id: email, email: email }); }';
const GET_USER = 'function getByEmail(email, callback) { callback(null); }';

function exported(options: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  return {
    id: 'con_abc',
    name: 'Username-Password-Authentication',
    strategy: 'auth0',
    is_domain_connection: false,
    enabled_clients: [],
    ...top,
    options: {
      import_mode: true,
      enabledDatabaseCustomization: true,
      disable_signup: false,
      customScripts: { login: LOGIN, get_user: GET_USER },
      configuration: { API_SECRET: 'imported-secret-value', DB_CONNECTION_URI: 'postgres://legacy:db-password-9@127.0.0.1:5432/legacy' },
      ...options,
    },
  };
}

describe('importing an Auth0 database connection', () => {
  let t: TestServer;
  let poolId: string;
  const importAuth0 = (body: unknown) => t.admin('POST', `/api/v1/pools/${poolId}/custom-db/import-auth0`, body);

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool('Auth0 import');
  });
  afterAll(() => t.close());

  it('saves it with the auth0 dialect, import_mode true as lazy migration, secrets masked', async () => {
    const response = await importAuth0(exported());
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      enabled: true,
      mode: 'LAZY_MIGRATION',
      dialect: 'auth0',
      connection: { type: 'uri', uri: 'postgres://legacy:********@127.0.0.1:5432/legacy' },
      env: { API_SECRET: '********' },
      scripts: { login: LOGIN, get_user: GET_USER, create: null, delete: null },
    });
    expect(response.body).not.toContain('imported-secret-value');
    expect(response.body).not.toContain('db-password-9');
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db`)).json()).toEqual(body);
  });

  it('keeps the configuration as the scripts will see it', async () => {
    const debugged = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script: 'get_user', args: ['a@example.org'] });
    expect(debugged.json()).toMatchObject({ ok: true, result: null });
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      scripts: { verify: 'function verify(email, callback) { callback(null, configuration.API_SECRET === "imported-secret-value" && configuration.DB_CONNECTION_URI.includes("db-password-9")); }' },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script: 'verify', args: ['x'] })).json()).toMatchObject({ ok: true, result: true });
  });

  it('saves import_mode false as a custom user store, and a DB_* set as a programmatic connection', async () => {
    const response = await importAuth0(
      exported({ import_mode: false, configuration: { DB_HOST: '127.0.0.1', DB_PORT: '3306', DB_USERNAME: 'root', DB_PASSWORD: 'mysql-pw-7', DB_DATABASE: 'legacy' } }),
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      mode: 'CUSTOM_USER_STORE',
      connection: { type: 'programmatic', host: '127.0.0.1', port: 3306, username: 'root', password: '********', database: 'legacy' },
      env: {},
    });
  });

  it('answers 400 naming the field for input that is not an Auth0 database connection', async () => {
    const cases: [unknown, string][] = [
      [exported({}, { strategy: 'google-oauth2' }), 'body.strategy'],
      [exported({}, { name: 7 }), 'body.name'],
      [{ ...exported(), options: 'x' }, 'body.options must be an object'],
      [exported({ import_mode: 'yes' }), 'body.options.import_mode'],
      [exported({ customScripts: { login: LOGIN, get_users: GET_USER } }), 'body.options.customScripts.get_users'],
      [exported({ customScripts: { login: 42 } }), 'body.options.customScripts.login'],
      [exported({ customScripts: { get_user: 'function findIt(email, callback) {}' } }), 'scripts.get_user: The Auth0 get_user script must declare a top-level `function getByEmail(email, callback)`'],
      [exported({ customScripts: { login: 'function login(email, password, callback) {' } }), 'scripts.login'],
      [exported({ configuration: { TOKEN: 5 } }), 'body.options.configuration.TOKEN'],
      [exported({ configuration: { 'bad name': 'x' } }), 'body.options.configuration.bad name'],
      [exported({ configuration: { DB_HOST: '127.0.0.1' } }), 'body.options.configuration.DB_PORT is missing'],
    ];
    for (const [body, field] of cases) {
      const response = await importAuth0(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
      expect(response.json().error.message).toContain(field);
    }
  });

  it("refuses, on PUT, scripts that are not of the connection's dialect", async () => {
    const put = (body: unknown) => t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, body);
    const gatehouseInAuth0 = await put({ scripts: { createUser: 'async function createUser(u, c) { return u; }' } });
    expect(gatehouseInAuth0.statusCode).toBe(400);
    expect(gatehouseInAuth0.json().error.message).toContain('scripts.createUser is not a script of the auth0 dialect');
    const auth0InGatehouse = await put({ dialect: 'gatehouse', scripts: { verify: 'function verify(email, callback) {}' } });
    expect(auth0InGatehouse.statusCode).toBe(400);
    expect(auth0InGatehouse.json().error.message).toContain('scripts.verify is not a script of the gatehouse dialect');
    expect((await put({ dialect: 'okta' })).statusCode).toBe(400);
    const companion = await put({ scripts: { listUsers: 'async function listUsers(page, limit, context) { return { totalCount: 0, list: [] }; }' } });
    expect(companion.statusCode, companion.body).toBe(200);
    const back = await put({ dialect: 'gatehouse' });
    expect(back.json()).toMatchObject({ dialect: 'gatehouse' });
  });
});
