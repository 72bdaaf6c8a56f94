import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPostgres, samplePassword } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const up = await postgresReachable();

/**
 * A full run of both modes with every kind of secret in play; afterwards not one log
 * line, response body, connection log entry or store file holds any of them.
 */
describe.skipIf(!up)('secrets never leak', () => {
  let legacy: TestDatabase;
  let t: TestServer;
  const logLines: string[] = [];
  const bodies: string[] = [];
  const ENV_SECRET = 'env-secret-9f8e7d6c';
  const USER_PASSWORD = 'user-password-5b4a3c2d';
  let dbPassword = '';

  beforeAll(async () => {
    legacy = await createPostgresDatabase('gh_legacy');
    await seedPostgres(legacy.url);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    t = await startTestServer('sqlite', {}, { logger: { level: 'trace', stream: sink } });
  });
  afterAll(async () => {
    await t.close();
    await legacy.drop();
  });

  it('holds across configuration, migration, custom store, debug, failures and logs', async () => {
    const record = async (response: Promise<{ body: string }>) => {
      const r = await response;
      bodies.push(r.body);
      return r;
    };
    // the legacy database URI gets a password the scan can look for (trust auth ignores it)
    const url = new URL(legacy.url);
    dbPassword = 'db-password-1a2b3c4d';
    url.password = dbPassword;
    const scripts = templateById('postgres').scripts;
    for (const mode of ['LAZY_MIGRATION', 'CUSTOM_USER_STORE'] as const) {
      const poolId = await t.createPool(mode);
      const base = `/api/v1/pools/${poolId}`;
      await record(t.admin('PUT', `${base}/custom-db`, { enabled: true, mode, connection: { type: 'uri', uri: url.toString() }, env: { API_KEY: ENV_SECRET }, scripts }));
      await record(t.admin('GET', `${base}/custom-db`));
      await record(t.request('POST', `${base}/auth/login`, { body: { account: 'alice', password: samplePassword('alice') } }));
      await record(t.request('POST', `${base}/auth/login`, { body: { account: 'alice', password: USER_PASSWORD } }));
      await record(t.request('POST', `${base}/auth/register`, { body: { username: `scan-${mode.toLowerCase()}`, password: USER_PASSWORD } }));
      await record(t.admin('POST', `${base}/custom-db/debug`, { script: 'login', args: [{ username: 'alice' }, USER_PASSWORD] }));
      await record(t.admin('POST', `${base}/custom-db/debug`, { script: 'getUser', args: [{ username: 'alice' }] }));
      await record(t.admin('GET', `${base}/users/search?keyword=a`));
      await record(t.admin('GET', `${base}/custom-db/logs?limit=500`));
      // a script that prints and throws every secret it can reach
      await record(t.admin('PUT', `${base}/custom-db`, {
        scripts: {
          getUser: `async function getUser(query) {
            console.log('uri', env.DB_CONNECTION_URI, 'key', env.API_KEY);
            throw new Error('leaking ' + env.DB_CONNECTION_URI + ' ' + env.API_KEY);
          }`,
          login: `async function login(query, password) {
            console.error('password is', password);
            throw new Error('password was ' + password + ' and key ' + env.API_KEY);
          }`,
        },
      }));
      await record(t.admin('POST', `${base}/custom-db/debug`, { script: 'getUser', args: [{ username: 'x' }] }));
      await record(t.admin('POST', `${base}/custom-db/debug`, { script: 'login', args: [{ username: 'x' }, USER_PASSWORD] }));
      await record(t.request('POST', `${base}/auth/login`, { body: { account: 'bob-unmigrated', password: USER_PASSWORD } }));
      await record(t.request('POST', `${base}/auth/register`, { body: { username: 'someone-new', password: USER_PASSWORD } }));
      await record(t.admin('GET', `${base}/custom-db/logs?limit=500`));
    }
    await t.server.close();

    const secrets = [ENV_SECRET, USER_PASSWORD, dbPassword, samplePassword('alice')];
    const storeFiles = readdirSync(t.dataDir)
      .filter((name) => name.startsWith('gatehouse.sqlite'))
      .map((name) => readFileSync(path.join(t.dataDir, name)).toString('latin1'));
    expect(logLines.length).toBeGreaterThan(20);
    expect(bodies.length).toBeGreaterThan(20);
    for (const secret of secrets) {
      for (const line of logLines) expect(line).not.toContain(secret);
      for (const body of bodies) expect(body).not.toContain(secret);
      for (const file of storeFiles) expect(file).not.toContain(secret);
    }
    // the scrubbed failures were really there, masked
    expect(bodies.some((body) => body.includes('password was ********'))).toBe(true);
  });
});
