/**
 * A password reset in headless Chromium (playwright-core), the way a person does it: on
 * the hosted sign-in page they follow "Forgot password?", ask for a link, open the link
 * from the mail (read from the pool's development outbox, as an administrator would),
 * set a new password, and sign in with it; the old one is refused. Screenshots go to
 * test-artifacts/oidc/. Skipped without Chromium, a failure under GATEHOUSE_REQUIRE_DATABASES=1
 * (the rule of hosted-signin.e2e.test.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasesRequired } from '../support/databases.js';
import { discover, startOidcServer, type OidcTestServer } from './support.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/oidc/', import.meta.url));

const chromiumThere = existsSync(CHROMIUM);
if (!chromiumThere && databasesRequired) {
  throw new Error(`${CHROMIUM} is missing; install it (apt-get install -y chromium) — GATEHOUSE_REQUIRE_DATABASES=1 makes this a failure`);
}
const skipReason = chromiumThere ? '' : ` (skipped: ${CHROMIUM} not found; install chromium or set CHROMIUM_PATH)`;

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.waitFor({ state: 'visible' });
  expect((await locator.textContent())?.trim()).toBe(text);
}

const OLD_PASSWORD = 'old-password-1';
const NEW_PASSWORD = 'brand-new-password-2';

describe.skipIf(skipReason !== '')(`password reset in Chromium${skipReason}`, () => {
  let server: OidcTestServer;
  let browser: Browser;
  let callbackServer: Server;
  let callback: string;
  let poolId: string;
  let rp: client.Configuration;
  let userId: string;
  const pageErrors: string[] = [];

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    callbackServer = createServer((_request, response) => response.end('<!doctype html><title>Back at the application</title><h1>Back at the application</h1>'));
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    callback = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;

    server = await startOidcServer('sqlite');
    poolId = await server.createPool('Globex');
    const created = await server.admin('POST', `/api/v1/pools/${poolId}/users`, { email: 'hank@example.com', username: 'hank', password: OLD_PASSWORD });
    expect(created.statusCode, created.body).toBe(201);
    userId = (created.json() as { id: string }).id;
    const app = await server.createApplication(poolId, { name: 'Globex Portal', type: 'web', redirectUris: [callback] });
    rp = await discover(server.issuer(poolId), app.clientId, app.clientSecret);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => callbackServer?.close(resolve));
  });

  /** A fresh browser context at the pool's sign-in page, as an application sends it there. */
  async function openSignIn() {
    const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(rp, {
      redirect_uri: callback,
      scope: 'openid email',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(url.toString());
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ state: 'visible' });
    return { page, verifier, state };
  }

  async function submit(page: Page, account: string, password: string) {
    await page.getByRole('textbox', { name: 'Email, username or phone' }).fill(account);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  }

  async function resetLinkFromOutbox(): Promise<string> {
    await server.server.mailIdle();
    const outbox = await server.admin('GET', `/api/v1/pools/${poolId}/outbox`);
    expect(outbox.statusCode).toBe(200);
    const mail = (outbox.json() as { list: { to: string; subject: string; text: string }[] }).list.find((entry) => entry.to === 'hank@example.com');
    expect(mail?.subject).toBe('Reset your Globex password');
    const link = /https?:\/\/\S+\/reset-password\?token=\S+/.exec(mail?.text ?? '')?.[0];
    if (!link) throw new Error(`no reset link in the outbox: ${outbox.body}`);
    return link;
  }

  it('asks for a link, sets a new password from the mail, and signs in with it; the old password fails', async () => {
    const asked = await openSignIn();
    await asked.page.getByRole('link', { name: 'Forgot password?' }).click();
    await asked.page.getByRole('textbox', { name: 'Email' }).fill('hank@example.com');
    await asked.page.getByRole('button', { name: 'Send reset link' }).click();
    await expectText(asked.page.getByRole('status'), 'If an account exists for that email, we sent a link to reset the password.');
    await shot(asked.page, 'reset-flow-link-sent');

    const link = await resetLinkFromOutbox();
    expect(link.startsWith(`${server.baseUrl}/oidc/${poolId}/reset-password?token=`)).toBe(true);
    await asked.page.goto(link);
    await asked.page.getByLabel('New password').fill(NEW_PASSWORD);
    await shot(asked.page, 'reset-flow-new-password');
    await asked.page.getByRole('button', { name: 'Set password' }).click();
    await expectText(asked.page.getByRole('status'), 'Your password is set. You can sign in with it now.');
    await shot(asked.page, 'reset-flow-done');
    await asked.page.context().close();

    const old = await openSignIn();
    await submit(old.page, 'hank@example.com', OLD_PASSWORD);
    await expectText(old.page.getByRole('alert'), 'Wrong username or password');
    await shot(old.page, 'reset-flow-old-password-refused');

    await submit(old.page, 'hank@example.com', NEW_PASSWORD);
    await old.page.waitForURL((url) => url.toString().startsWith(callback));
    const tokens = await client.authorizationCodeGrant(rp, new URL(old.page.url()), { pkceCodeVerifier: old.verifier, expectedState: old.state });
    expect(tokens.claims()?.sub).toBe(userId);
    await old.page.context().close();

    // the link is single-use: a second visit cannot set another password
    const again = await openSignIn();
    await again.page.goto(link);
    await again.page.getByLabel('New password').fill('yet-another-password-3');
    await again.page.getByRole('button', { name: 'Set password' }).click();
    await again.page.getByRole('alert').waitFor({ state: 'visible' });
    expect(await again.page.getByRole('status').count()).toBe(0);
    await again.page.context().close();
    expect(pageErrors).toEqual([]);
  });
});
