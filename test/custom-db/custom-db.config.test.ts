import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const URI_PASSWORD = 'uri-secret-Pa55word';
const FIELD_PASSWORD = 'field-secret-Pa55word';
const ENV_SECRET = 'env-secret-api-key-123';
/** A script checks a secret without holding it: scripts are not secrets and are stored as written. */
const spelled = (secret: string) => JSON.stringify([...secret]) + ".join('')";

describe('custom database connection config', () => {
  let t: TestServer;
  let poolId: string;
  const url = () => `/api/v1/pools/${poolId}/custom-db`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
  });
  afterAll(() => t.close());

  it('answers the defaults for a pool never configured', async () => {
    const response = await t.admin('GET', url());
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ enabled: false, mode: 'LAZY_MIGRATION', connection: null, env: {}, timeoutMs: 5000 });
    expect(response.json().scripts).toEqual({
      login: null, getUser: null, searchUser: null, createUser: null,
      updateUser: null, deleteUser: null, listUsers: null, validatePassword: null, exportUsers: null,
    });
  });

  it('saves a URI connection and env, answering secrets masked', async () => {
    const response = await t.admin('PUT', url(), {
      enabled: false,
      mode: 'CUSTOM_USER_STORE',
      connection: { type: 'uri', uri: `postgres://app:${URI_PASSWORD}@db.internal:5432/legacy` },
      env: { API_KEY: ENV_SECRET },
      timeoutMs: 2000,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      mode: 'CUSTOM_USER_STORE',
      connection: { type: 'uri', uri: 'postgres://app:********@db.internal:5432/legacy' },
      env: { API_KEY: '********' },
      timeoutMs: 2000,
    });
    expect(response.body).not.toContain(URI_PASSWORD);
    expect((await t.admin('GET', url())).body).not.toContain(ENV_SECRET);
  });

  it('keeps stored secrets when the mask is sent back, and replaces them when not', async () => {
    const script = `async function getUser(query, context) {
      return { id: '1', nickname: String(env.API_KEY === ${spelled(ENV_SECRET)}), name: String(env.DB_CONNECTION_URI.includes(${spelled(URI_PASSWORD)})) };
    }`;
    const current = (await t.admin('GET', url())).json();
    const saved = await t.admin('PUT', url(), { ...current, scripts: { getUser: script } });
    expect(saved.statusCode, saved.body).toBe(200);
    const debug = await t.admin('POST', `${url()}/debug`, { script: 'getUser', args: [{ id: '1' }] });
    expect(debug.json().result).toMatchObject({ nickname: 'true', name: 'true' });

    await t.admin('PUT', url(), { env: { API_KEY: 'replaced' } });
    const after = await t.admin('POST', `${url()}/debug`, { script: 'getUser', args: [{ id: '1' }] });
    expect(after.json().result).toMatchObject({ nickname: 'false', name: 'true' });
    await t.admin('PUT', url(), { env: { API_KEY: ENV_SECRET } });
  });

  it('keeps a programmatic password behind the mask and exposes the fields to scripts', async () => {
    const saved = await t.admin('PUT', url(), {
      connection: { type: 'programmatic', host: 'db.internal', port: 5432, username: 'app', password: FIELD_PASSWORD, database: 'legacy' },
      scripts: {
        getUser: `async function getUser(q) {
          return { id: '1', nickname: [env.DB_HOST, env.DB_PORT, env.DB_USERNAME, env.DB_DATABASE].join('|'), name: String(env.DB_PASSWORD === ${spelled(FIELD_PASSWORD)}) };
        }`,
      },
    });
    expect(saved.json().connection).toEqual({ type: 'programmatic', host: 'db.internal', port: 5432, username: 'app', password: '********', database: 'legacy' });
    await t.admin('PUT', url(), { connection: saved.json().connection });
    const debug = await t.admin('POST', `${url()}/debug`, { script: 'getUser', args: [{ id: '1' }] });
    expect(debug.json().result).toMatchObject({ nickname: 'db.internal|5432|app|legacy', name: 'true' });
  });

  it('never writes a secret in plain text to the store file', async () => {
    const files = readdirSync(t.dataDir).filter((name) => name.startsWith('gatehouse.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(path.join(t.dataDir, file));
      for (const secret of [URI_PASSWORD, FIELD_PASSWORD, ENV_SECRET]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });

  it('rejects a script that does not parse, naming script, line and column', async () => {
    const response = await t.admin('PUT', url(), { scripts: { login: 'async function login(query, password) {\n  return {;\n}' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_ERROR');
    expect(response.json().error.message).toMatch(/^scripts\.login: .*\(line 2, column \d+\)$/);
  });

  it('rejects a script that does not define its function', async () => {
    const response = await t.admin('PUT', url(), { scripts: { getUser: 'async function findUser(query) { return null; }' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/scripts\.getUser/);
    expect(response.json().error.message).toMatch(/getUser/);
  });

  const badBodies: [string, unknown, RegExp][] = [
    ['an unknown mode', { mode: 'SOMETHING' }, /body\.mode/],
    ['a timeout under 100 ms', { timeoutMs: 50 }, /body\.timeoutMs/],
    ['a timeout over 30 s', { timeoutMs: 30_001 }, /body\.timeoutMs/],
    ['an unknown script name', { scripts: { signIn: 'x' } }, /body\.scripts\.signIn is not a known field/],
    ['a uri connection without uri', { connection: { type: 'uri' } }, /body\.connection\.uri is required/],
    ['a malformed uri', { connection: { type: 'uri', uri: 'not a uri' } }, /connection\.uri must be a URI/],
    ['a programmatic connection without host', { connection: { type: 'programmatic', port: 1, username: 'u', database: 'd' } }, /body\.connection\.host is required/],
    ['a port that is text', { connection: { type: 'programmatic', host: 'h', port: '5432', username: 'u', database: 'd' } }, /body\.connection\.port must be integer/],
    ['a uri with a host field', { connection: { type: 'uri', uri: 'postgres://h/d', host: 'h' } }, /body\.connection\.host is not a field of a uri connection/],
    ['an env name the connection sets', { env: { DB_PASSWORD: 'x' } }, /body\.env\.DB_PASSWORD is set by the connection/],
    ['an env name that is not an identifier', { env: { 'BAD-NAME': 'x' } }, /body\.env/],
    ['the mask for an env value never stored', { env: { NEW_KEY: '********' } }, /env\.NEW_KEY holds the mask/],
    ['an unknown field', { enable: true }, /body\.enable is not a known field/],
  ];
  for (const [name, body, message] of badBodies) {
    it(`answers 400 and saves nothing for ${name}`, async () => {
      const before = (await t.admin('GET', url())).body;
      const response = await t.admin('PUT', url(), body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.message).toMatch(message);
      expect((await t.admin('GET', url())).body).toBe(before);
    });
  }

  it('answers the default script with 501 and GenAuth\'s message once enabled', async () => {
    const other = await t.createPool('defaults');
    await t.admin('PUT', `/api/v1/pools/${other}/custom-db`, { enabled: true, mode: 'LAZY_MIGRATION' });
    const login = await t.request('POST', `/api/v1/pools/${other}/auth/login`, { body: { account: 'x@example.com', password: 'whatever-pw' } });
    expect(login.statusCode).toBe(501);
    expect(login.json().error).toMatchObject({
      code: 'SCRIPT_NOT_IMPLEMENTED',
      message: 'Please implement the Login script for this database connection',
    });
    const register = await t.request('POST', `/api/v1/pools/${other}/auth/register`, { body: { email: 'x@example.com', password: 'whatever-pw' } });
    expect(register.statusCode).toBe(501);
    expect(register.json().error.message).toBe('Please implement the Get user script for this database connection');

    await t.admin('PUT', `/api/v1/pools/${other}/custom-db`, { enabled: true, mode: 'CUSTOM_USER_STORE' });
    const list = await t.admin('GET', `/api/v1/pools/${other}/users`);
    expect(list.statusCode).toBe(501);
    expect(list.json().error.message).toBe('Please implement the List users script for this database connection');

    await t.admin('PUT', `/api/v1/pools/${other}/custom-db`, { enabled: false });
    expect((await t.admin('GET', `/api/v1/pools/${other}/users`)).statusCode).toBe(200);
  });

  it('serves the four templates with all nine scripts each', async () => {
    const response = await t.admin('GET', '/api/v1/custom-db/templates');
    expect(response.statusCode).toBe(200);
    const list = response.json().list as { id: string; scripts: Record<string, string> }[];
    expect(list.map((template) => template.id)).toEqual(['postgres', 'mysql', 'mongodb', 'webservice']);
    for (const template of list) expect(Object.keys(template.scripts).sort()).toHaveLength(9);
  });

  it('answers POOL_NOT_FOUND for the custom-db endpoints of an unknown pool', async () => {
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PUT', '', { enabled: false }],
      ['POST', '/debug', { script: 'login', args: [] }],
      ['GET', '/logs', undefined],
      ['GET', '/migration', undefined],
      ['POST', '/import-rest', undefined],
    ] as const) {
      const response = await t.admin(method, `/api/v1/pools/nope/custom-db${suffix}`, body);
      expect(response.statusCode, `${method} ${suffix}`).toBe(404);
      expect(response.json().error.code).toBe('POOL_NOT_FOUND');
    }
  });
});
