/**
 * The README's example: the example application (examples/sign-in-app, openid-client)
 * started as `npm run example-app` starts it, against a pool in front of the seeded
 * sample database in lazy migration mode; alice presses "Sign in with Gatehouse", signs
 * in on the hosted page, is migrated on the way and lands back in the app, which shows
 * her claims.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePassword, seedPostgres } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { Browser, readForm, startOidcServer, type OidcTestServer } from './support.js';

const postgresUp = await postgresReachable();

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

describe.skipIf(!postgresUp)(`the example application${postgresUp ? '' : ' (skipped: PostgreSQL not reachable)'}`, () => {
  let server: OidcTestServer;
  let legacy: TestDatabase;
  let example: ChildProcess | undefined;
  let appUrl: string;
  let poolId: string;

  beforeAll(async () => {
    [server, legacy] = await Promise.all([startOidcServer('sqlite'), createPostgresDatabase('gh_legacy')]);
    await seedPostgres(legacy.url);
    poolId = await server.createPool('Acme');
    const saved = await server.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri: legacy.url },
      scripts: templateById('postgres').scripts,
    });
    expect(saved.statusCode).toBe(200);
    const port = await freePort();
    appUrl = `http://localhost:${port}`;
    const app = await server.createApplication(poolId, {
      name: 'Example app',
      type: 'web',
      redirectUris: [`${appUrl}/callback`],
      postLogoutRedirectUris: [`${appUrl}/`],
    });
    // what `npm run example-app -- …` runs
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'examples/sign-in-app/server.ts', '--issuer', server.issuer(poolId), '--client-id', app.clientId, '--client-secret', app.clientSecret ?? '', '--port', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    example = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`example app did not start:\n${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening at')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', () => reject(new Error(`example app exited:\n${output}`)));
    });
  });

  afterAll(async () => {
    if (example && example.exitCode === null) {
      const exited = new Promise((resolve) => example?.once('exit', resolve));
      example.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    await legacy?.drop();
  });

  it('signs alice in through the hosted page, migrating her, and shows her claims', async () => {
    const browser = new Browser();
    const home = await (await browser.fetch(`${appUrl}/`)).text();
    expect(home).toContain('Sign in with Gatehouse');

    const opened = await browser.follow(`${appUrl}/login`, 'never:');
    expect(opened.url.startsWith(server.issuer(poolId))).toBe(true);
    const form = readForm(await opened.response.text(), opened.url);
    const done = await browser.follow(form.action, 'never:', { form: { csrf: form.csrf, account: 'alice@example.com', password: samplePassword('alice') } });
    expect(done.url).toBe(`${appUrl}/`);
    const signedIn = await done.response.text();
    expect(signedIn).toContain('Signed in as <strong>alice@example.com</strong>');
    expect(signedIn).toContain('preferred_username');

    const alice = await server.admin('GET', `/api/v1/pools/${poolId}/users/find?email=alice@example.com`);
    expect(alice.json()).toMatchObject({ source: 'migrated' });

    const out = await browser.follow(`${appUrl}/logout`, 'never:');
    expect(await out.response.text()).toContain('Sign out');
  });
});
