/**
 * Admin keys in the console, in headless Chromium against a real server: the owner creates
 * a key limited to one pool and copies its token from the dialog that shows it once; the
 * audit log shows who made it; signed in with that key, the console sees its pool alone and
 * is refused elsewhere; revoked, the key no longer signs in.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasesRequired } from '../support/databases.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';
import { ensureConsoleBuilt } from './build-console.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const chromiumThere = existsSync(CHROMIUM);
if (!chromiumThere && databasesRequired) throw new Error(`${CHROMIUM} is missing; install it (apt-get install -y chromium)`);

describe.skipIf(!chromiumThere)(`admin keys in the console (Chromium)${chromiumThere ? '' : ': skipped, chromium not found'}`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server] = await Promise.all([startTestServer('sqlite', {}, { runtimes: { warmSpare: false } }), ensureConsoleBuilt()]);
    base = (await server.server.app.listen({ port: 0, host: '127.0.0.1' })).replace('://0.0.0.0', '://127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 500) pageErrors.push(`${String(response.status())} ${response.url()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = async (token: string) => {
    await page.goto(`${base}/console`);
    await page.getByLabel('Admin token').fill(token);
    await page.getByLabel('Admin token').press('Enter');
    await page.getByRole('heading', { name: 'User pools' }).waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
  };

  it('creates a pool-scoped key, shows its token once, and the key sees only its pool until revoked', async () => {
    const shop = await server.createPool('Shop');
    const blog = await server.createPool('Blog');
    await signIn(ADMIN_TOKEN);

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Admin keys' }).click();
    await page.getByRole('heading', { name: 'Admin keys' }).waitFor();
    await page.getByLabel('Key name').fill('shop team');
    await page.getByLabel('Pool').selectOption({ label: 'Shop' });
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Admin key created' });
    const token = await dialog.getByRole('textbox', { name: 'Token' }).inputValue();
    expect(token).toMatch(/^gh_key_/);
    await dialog.getByRole('button', { name: 'I have saved the token' }).click();
    expect(await page.content()).not.toContain(token);
    const row = page.getByRole('row').filter({ hasText: 'shop team' });
    await row.getByText('Active').waitFor();
    await row.getByRole('cell', { name: 'Shop', exact: true }).waitFor();

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('row').filter({ hasText: 'admin-key.create' }).filter({ hasText: 'owner' }).waitFor();

    // Signed in with the key: its pool alone, and a refusal outside it.
    await signOut();
    await signIn(token);
    await page.getByRole('link', { name: 'Shop' }).waitFor();
    expect(await page.getByRole('link', { name: 'Blog' }).count()).toBe(0);
    await page.goto(`${base}/console/pools/${blog}/users`);
    await page.getByRole('alert').filter({ hasText: 'limited to one pool' }).first().waitFor();
    await page.goto(`${base}/console/pools/${shop}/users`);
    await page.getByRole('heading', { name: 'Shop' }).waitFor();
    await page.goto(`${base}/console/admin-keys`);
    await page.getByRole('alert').filter({ hasText: 'limited to one pool' }).waitFor();

    // Revoked by the owner, after confirming: the key signs in no more.
    await signOut();
    await signIn(ADMIN_TOKEN);
    await page.goto(`${base}/console/admin-keys`);
    page.once('dialog', (question) => void question.accept());
    await page.getByRole('button', { name: 'Revoke shop team' }).click();
    await page.getByText('Revoked shop team.').waitFor();
    await signOut();
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();

    expect(pageErrors).toEqual([]);
  }, 90_000);
});
