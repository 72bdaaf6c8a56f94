import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK, isSecretParam, maskConfig, secretsOf, unmask } from '../../src/custom-db/config-secrets.js';
import { defaultConfig, type CustomDbConfig } from '../../src/custom-db/connection-config.js';
import { redactOutcome } from '../../src/custom-db/redaction.js';
import { startTestServer, type TestServer } from '../support/server.js';

const uriConfig = (uri: string): CustomDbConfig => ({ ...defaultConfig(), connection: { type: 'uri', uri } });

describe('secrets of a URI query', () => {
  it.each([
    ['password', true],
    ['pass', true],
    ['sslpassword', true],
    ['PassPhrase', true],
    ['pwd', true],
    ['client_secret', true],
    ['access_token', true],
    ['apiKey', true],
    ['sslkey', true],
    ['sig', true],
    ['sslmode', false],
    ['authSource', false],
    ['application_name', false],
    ['connect_timeout', false],
  ])('%s is a secret parameter: %s', (name, secret) => {
    expect(isSecretParam(name)).toBe(secret);
  });

  it('masks secret query values in answers and keeps every other byte of the URI', () => {
    const masked = maskConfig(uriConfig('postgres://app@db:5432/app?sslmode=require&password=s3cret%21&application_name=a%20b&token=t0k3n'));
    expect(masked.connection).toEqual({
      type: 'uri',
      uri: `postgres://app@db:5432/app?sslmode=require&password=${MASK}&application_name=a%20b&token=${MASK}`,
    });
  });

  it('lists query secrets as written and decoded for scrubbing', () => {
    const secrets = secretsOf(uriConfig('postgres://db/app?password=s3cret%21&sslpassword=ssl+pass&sslmode=require'));
    expect(secrets).toEqual(expect.arrayContaining(['s3cret%21', 's3cret!', 'ssl+pass', 'ssl pass']));
    expect(secrets).not.toContain('require');
  });

  it('never throws on a URI with bad percent escapes', () => {
    const config = uriConfig('postgres://app:%zz@db/app?password=%E0%A4%A&key=%');
    expect(() => secretsOf(config)).not.toThrow();
    expect(secretsOf(config)).toEqual(expect.arrayContaining(['%zz', '%E0%A4%A']));
  });

  it('a masked query value sent back keeps the stored one; a mask with nothing stored is refused', () => {
    const stored = uriConfig('postgres://app:pw1@db/app?password=s3cret&token=first&token=second');
    const submitted = uriConfig(`postgres://app:${MASK}@db2/app?token=${MASK}&password=${MASK}&token=${MASK}&sslmode=require`);
    const merged = unmask(submitted, stored);
    expect(merged.ok && merged.value.connection).toEqual({
      type: 'uri',
      uri: 'postgres://app:pw1@db2/app?token=first&password=s3cret&token=second&sslmode=require',
    });
    const none = unmask(uriConfig(`postgres://db/app?sslpassword=${MASK}`), stored);
    expect(none).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(/sslpassword parameter, but no value is stored/) } });
  });

  it('the whole URI masked with no URI stored says so, before calling it no URI', () => {
    expect(unmask(uriConfig(MASK), defaultConfig())).toMatchObject({
      ok: false,
      error: { message: 'connection.uri holds the mask, but no URI is stored to keep' },
    });
  });
});

describe('redactOutcome', () => {
  const secrets = ['top-secret-value'];
  it('scrubs failure names, messages, stacks and console lines', () => {
    const outcome = redactOutcome(
      {
        ok: false,
        error: { kind: 'runtime', name: 'Leak top-secret-value', message: 'm top-secret-value', stack: 's top-secret-value' },
        logs: [{ level: 'log', message: 'l top-secret-value' }],
        durationMs: 1,
      },
      secrets,
    );
    expect(JSON.stringify(outcome)).not.toContain('top-secret-value');
    expect(outcome).toMatchObject({ ok: false, error: { name: `Leak ${MASK}` } });
  });

  it('scrubs result keys and every string at any depth', () => {
    const outcome = redactOutcome(
      { ok: true, result: { id: '1', 'top-secret-value': { deeper: ['x top-secret-value', { 'k top-secret-value': 1 }] } }, logs: [], durationMs: 1 },
      secrets,
    );
    expect(JSON.stringify(outcome)).not.toContain('top-secret-value');
    expect(outcome).toMatchObject({ ok: true, result: { [MASK]: { deeper: [`x ${MASK}`, { [`k ${MASK}`]: 1 }] } } });
  });

  it('keeps a typed error name even when a short secret is part of it', () => {
    const outcome = redactOutcome({ ok: false, error: { kind: 'runtime', name: 'UserNotFoundError', message: 'x' }, logs: [], durationMs: 1 }, ['Found']);
    expect(outcome).toMatchObject({ error: { name: 'UserNotFoundError' } });
  });
});

describe('redaction through the API: error names, result keys and URI query passwords', () => {
  const QUERY_PASSWORD = 'query-Pa55word-77';
  const ENV_SECRET = 'env-secret-in-name-99';
  let t: TestServer;
  let poolId: string;
  const url = () => `/api/v1/pools/${poolId}/custom-db`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
    const saved = await t.admin('PUT', url(), {
      connection: { type: 'uri', uri: `postgres://app@127.0.0.1:5432/legacy?sslmode=disable&password=${QUERY_PASSWORD}` },
      env: { API_KEY: ENV_SECRET },
      scripts: {
        login: `async function login(query, password) {
          const error = new Error('failed');
          error.name = 'Leak ' + env.API_KEY + ' ' + new URL(env.DB_CONNECTION_URI).searchParams.get('password');
          throw error;
        }`,
        getUser: `async function getUser(query) {
          const key = new URL(env.DB_CONNECTION_URI).searchParams.get('password');
          console.log('query password', key);
          return { id: '1', [key]: 'by key', [env.API_KEY]: { [key + '-nested']: true } };
        }`,
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(() => t.close());

  it('answers the query password masked, and a save with the mask keeps it', async () => {
    const masked = `postgres://app@127.0.0.1:5432/legacy?sslmode=disable&password=${MASK}`;
    const current = await t.admin('GET', url());
    expect(current.json().connection).toEqual({ type: 'uri', uri: masked });
    expect(current.body).not.toContain(QUERY_PASSWORD);
    expect((await t.admin('PUT', url(), { connection: { type: 'uri', uri: masked } })).statusCode).toBe(200);
    const debug = (await t.admin('POST', `${url()}/debug`, { script: 'getUser', args: [{ id: '1' }] })).json();
    expect(debug.logs).toEqual([{ level: 'log', message: `query password ${MASK}` }]);
  });

  it('scrubs a secret from a failure name in the debug answer and the connection log', async () => {
    const debug = await t.admin('POST', `${url()}/debug`, { script: 'login', args: [{ username: 'a' }, 'pw-typed-123'] });
    expect(debug.json().error.name).toBe(`Leak ${MASK} ${MASK}`);
    expect(debug.body).not.toContain(ENV_SECRET);
    expect(debug.body).not.toContain(QUERY_PASSWORD);
    const logs = await t.admin('GET', `${url()}/logs?limit=10`);
    expect(logs.json().list[0]).toMatchObject({ script: 'login', message: `Leak ${MASK} ${MASK}: failed` });
    expect(logs.body).not.toContain(ENV_SECRET);
    expect(logs.body).not.toContain(QUERY_PASSWORD);
  });

  it('scrubs secrets from the keys of a result', async () => {
    const debug = await t.admin('POST', `${url()}/debug`, { script: 'getUser', args: [{ id: '1' }] });
    expect(debug.json().result).toEqual({ id: '1', [MASK]: { [`${MASK}-nested`]: true } });
    expect(debug.body).not.toContain(ENV_SECRET);
    expect(debug.body).not.toContain(QUERY_PASSWORD);
  });
});
