/**
 * The hosted sign-in page in headless Chromium (playwright-core), the way a person meets
 * it: an application sends the browser to a pool's /authorize, the person signs in on
 * Gatehouse's page and lands back at the application with a code the application
 * exchanges (openid-client). The pools sit in front of a seeded legacy PostgreSQL
 * database: a legacy user never migrated signs in and is migrated on the way, a custom
 * user store user signs in (sub = the custom database's id), and the failures show the
 * contract's messages. Screenshots go to test-artifacts/oidc/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePassword, seedPostgres } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { createPostgresDatabase, databasesRequired, postgresReachable, type TestDatabase } from '../support/databases.js';
import { discover, startOidcServer, type OidcTestServer } from './support.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/oidc/', import.meta.url));

const chromiumThere = existsSync(CHROMIUM);
if (!chromiumThere && databasesRequired) {
  throw new Error(`${CHROMIUM} is missing; install it (apt-get install -y chromium) — GATEHOUSE_REQUIRE_DATABASES=1 makes this a failure`);
}
const postgresUp = await postgresReachable();
const skipReason = !chromiumThere
  ? ` (skipped: ${CHROMIUM} not found; install chromium or set CHROMIUM_PATH)`
  : !postgresUp
    ? ' (skipped: PostgreSQL not reachable; set GATEHOUSE_REQUIRE_DATABASES=1 to fail instead)'
    : '';

/** Waits for the element, then checks its text exactly. */
async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.waitFor({ state: 'visible' });
  expect((await locator.textContent())?.trim()).toBe(text);
}
const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });

describe.skipIf(skipReason !== '')(`hosted sign-in in Chromium${skipReason}`, () => {
  let server: OidcTestServer;
  let legacy: TestDatabase;
  let browser: Browser;
  let callbackServer: Server;
  let callback: string;
  const pools: Record<'lazy' | 'custom' | 'down', { id: string; rp: client.Configuration }> = {} as never;
  const pageErrors: string[] = [];

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function connectPool(name: string, mode: 'LAZY_MIGRATION' | 'CUSTOM_USER_STORE', uri: string) {
    const poolId = await server.createPool(name);
    const saved = await server.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode,
      connection: { type: 'uri', uri },
      scripts: templateById('postgres').scripts,
      timeoutMs: 15_000,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const app = await server.createApplication(poolId, { name: `${name} Portal`, type: 'web', redirectUris: [callback] });
    return { id: poolId, rp: await discover(server.issuer(poolId), app.clientId, app.clientSecret) };
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The application's callback: answers a plain page; the test reads the code from the URL.
    callbackServer = createServer((_request, response) => response.end('<!doctype html><title>Back at the application</title><h1>Back at the application</h1>'));
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    callback = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;

    [server, legacy] = await Promise.all([
      startOidcServer('postgres', { throttle: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 100, windowSeconds: 60 } }),
      createPostgresDatabase('gh_legacy'),
    ]);
    await seedPostgres(legacy.url);
    pools.lazy = await connectPool('Acme Corp', 'LAZY_MIGRATION', legacy.url);
    pools.custom = await connectPool('Initech', 'CUSTOM_USER_STORE', legacy.url);
    // A database nobody listens for (loopback, closed port): the scripts cannot connect.
    pools.down = await connectPool('Umbrella', 'LAZY_MIGRATION', 'postgres://app:app@127.0.0.1:1/legacy');

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await legacy?.drop();
    await new Promise((resolve) => callbackServer?.close(resolve));
  });

  /** A fresh browser context (no cookies) at the pool's sign-in page. */
  async function openSignIn(pool: { rp: client.Configuration }, scope = 'openid profile email') {
    const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Pages answered 401/403/429/400 on purpose show up as failed loads; anything else
      // (a CSP refusal above all) is a finding.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(pool.rp, {
      redirect_uri: callback,
      scope,
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(url.toString());
    await visible(page.getByRole('heading', { name: 'Sign in' }));
    return { page, verifier, state };
  }

  async function submit(page: Page, account: string, password: string) {
    await page.getByRole('textbox', { name: 'Email, username or phone' }).fill(account);
    await page.getByLabel('Password', { exact: true }).fill(password);
    // wait for the answer to this post, so the next look at the page sees the new one
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  }

  async function finishAtApplication(page: Page, pool: { rp: client.Configuration }, verifier: string, state: string) {
    await page.waitForURL((url) => url.toString().startsWith(callback));
    const tokens = await client.authorizationCodeGrant(pool.rp, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state });
    return client.fetchUserInfo(pool.rp, tokens.access_token, tokens.claims()?.sub ?? '');
  }

  it('migrates a legacy user who signs in on the hosted page', async () => {
    const before = await server.admin('GET', `/api/v1/pools/${pools.lazy.id}/custom-db/migration`);
    expect(before.json()).toMatchObject({ migratedUsers: 0 });

    const { page, verifier, state } = await openSignIn(pools.lazy);
    await visible(page.getByText('Acme Corp', { exact: true }));
    await visible(page.getByRole('link', { name: 'Create account' }));
    await visible(page.getByRole('link', { name: 'Forgot password?' }));
    await shot(page, 'sign-in');
    await submit(page, 'alice', samplePassword('alice'));
    const info = await finishAtApplication(page, pools.lazy, verifier, state);
    expect(info).toMatchObject({ email: 'alice@example.com', preferred_username: 'alice' });

    const found = await server.admin('GET', `/api/v1/pools/${pools.lazy.id}/users/find?email=alice@example.com`);
    expect(found.json()).toMatchObject({ source: 'migrated', id: info.sub });
    expect((await server.admin('GET', `/api/v1/pools/${pools.lazy.id}/custom-db/migration`)).json()).toMatchObject({ migratedUsers: 1 });
    await page.context().close();
  });

  it('signs in a user of a custom user store, whose id is the custom database\'s', async () => {
    const { page, verifier, state } = await openSignIn(pools.custom);
    await submit(page, 'carol@example.com', samplePassword('carol'));
    const info = await finishAtApplication(page, pools.custom, verifier, state);
    expect(info.email).toBe('carol@example.com');
    const viaScripts = await server.admin('GET', `/api/v1/pools/${pools.custom.id}/users/find?email=carol@example.com`);
    expect(viaScripts.json()).toMatchObject({ id: info.sub, source: 'custom-db' });
    const local = await server.server.store.db.selectFrom('users').select('id').where('pool_id', '=', pools.custom.id).execute();
    expect(local).toEqual([]);
    await page.context().close();
  });

  it('shows the contract\'s messages for a wrong password, a blocked account and throttling', async () => {
    const { page } = await openSignIn(pools.lazy);
    await submit(page, 'bob', 'not-bobs-password');
    await expectText(page.getByRole('alert'), 'Wrong username or password');
    expect(await page.getByRole('textbox', { name: 'Email, username or phone' }).inputValue()).toBe('bob');
    await shot(page, 'wrong-password');

    await submit(page, 'mallory', samplePassword('mallory'));
    await expectText(page.getByRole('alert'), 'This account is blocked');
    await shot(page, 'blocked');

    await submit(page, 'bob', 'not-bobs-password');
    await submit(page, 'bob', 'not-bobs-password');
    await submit(page, 'bob', samplePassword('bob'));
    await expectText(page.getByRole('alert'), 'Too many attempts, try again later');
    await shot(page, 'throttled');
    await page.context().close();
  });

  it('says so when the user database is down', async () => {
    const { page } = await openSignIn(pools.down);
    await submit(page, 'alice', samplePassword('alice'));
    await expectText(page.getByRole('alert'), 'The user database is unavailable, try again later');
    await shot(page, 'database-down');
    await page.context().close();
  });

  it('renders create account, forgot password, sign out and the error page', async () => {
    const { page } = await openSignIn(pools.lazy);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill('alice@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expectText(page.getByRole('status'), 'If an account exists for that email, we sent a link to reset the password.');
    await shot(page, 'forgot-password');

    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill('newcomer@example.com');
    await page.getByLabel('Password', { exact: true }).fill('newcomer-password');
    await shot(page, 'create-account');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.toString().startsWith(callback));

    const endSession = client.buildEndSessionUrl(pools.lazy.rp, { client_id: pools.lazy.rp.clientMetadata().client_id });
    await page.goto(endSession.toString());
    await visible(page.getByRole('button', { name: 'Sign out' }));
    await shot(page, 'sign-out');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(page.getByRole('heading', { name: 'You are signed out' }));

    await page.goto(`${server.baseUrl}/oidc/${pools.lazy.id}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(callback)}`);
    await visible(page.getByRole('heading', { name: 'Something went wrong' }));
    await shot(page, 'error');

    await page.goto(`${server.baseUrl}/oidc/${pools.lazy.id}/reset-password?token=abc`);
    await visible(page.getByLabel('New password'));
    await visible(page.getByRole('button', { name: 'Set password' }));
    await shot(page, 'reset-password');
    await page.context().close();
    // no CSP violation or script error on any page
    expect(pageErrors).toEqual([]);
  });
});
