/**
 * The admin console end to end, in headless Chromium (playwright-core) against a real
 * server whose own store is the local PostgreSQL, with a seeded legacy PostgreSQL database
 * behind a lazy-migration connection: sign in, create a pool, configure the connection
 * from the PostgreSQL template, write a script, debug a login, read the connection log,
 * let alice log in through the API, find her as migrated, watch the progress count, import
 * the rest and finish the migration.
 * Screenshots go to test-artifacts/console/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPostgres } from '../../src/sample-db/index.js';
import { createPostgresDatabase, databasesRequired, postgresReachable, type TestDatabase } from '../support/databases.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';
import { ensureConsoleBuilt } from './build-console.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));

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

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

/** The login script the test types: the template's, with a console line to see in Debug. */
function withLogLine(templateLogin: string): string {
  const header = /async function login\(query, password, context\) \{\n/;
  expect(templateLogin).toMatch(header);
  return templateLogin.replace(header, (line) => `${line}  console.log('login attempt for ' + (query.email || query.username || query.phone));\n`);
}

async function replaceEditorText(editor: Locator, text: string): Promise<void> {
  await editor.click();
  await editor.press('ControlOrMeta+a');
  await editor.page().keyboard.insertText(text);
}

describe.skipIf(skipReason !== '')(`admin console in Chromium${skipReason}`, () => {
  let server: TestServer;
  let legacy: TestDatabase;
  let browser: Browser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];

  /** Whole pages in full; a dialog as the viewport shows it (a fixed backdrop does not stretch over a full-page shot). */
  const shot = (name: string, fullPage = true) =>
    page.screenshot({
      path: path.join(ARTIFACTS, `${name}.png`),
      fullPage,
      // The Save bar sticks to the viewport's bottom, which a full-page shot puts mid-page.
      ...(fullPage ? { style: '.sticky-actions { position: static !important; }' } : {}),
    });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const [testServer, database] = await Promise.all([startTestServer('postgres'), createPostgresDatabase('gh_legacy'), ensureConsoleBuilt()]);
    server = testServer;
    legacy = database;
    await seedPostgres(legacy.url);
    base = (await server.server.app.listen({ port: 0, host: '127.0.0.1' })).replace('://0.0.0.0', '://127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Failed requests are checked below by status: the test provokes a 401 and a 400 on purpose.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() === 404 || response.status() >= 500) pageErrors.push(`${String(response.status())} ${response.url()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await legacy?.drop();
  });

  it('connects a pool to a PostgreSQL table, debugs the login script and watches alice migrate', async () => {
    // Sign in.
    await page.goto(`${base}/console`);
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await shot('01-sign-in');
    // By keyboard this time: Enter in the field submits.
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByLabel('Admin token').press('Enter');

    // Create a pool; the console opens its custom database page.
    await page.getByLabel('Pool name').fill('Acme');
    await page.getByRole('button', { name: 'Create pool' }).click();
    await page.getByRole('heading', { name: 'Custom database' }).waitFor();
    expect(page.url()).toMatch(/\/console\/pools\/[^/]+\/custom-db$/);
    const poolId = /\/pools\/([^/]+)\//.exec(page.url())?.[1] ?? '';
    expect(poolId).not.toBe('');

    // Configure lazy migration with the legacy database's URI and an environment variable.
    await page.getByRole('switch', { name: 'Enable custom database' }).check();
    await page.getByRole('radio', { name: 'Lazy migration' }).check();
    await page.getByRole('radio', { name: 'Connection URI' }).check();
    await page.getByRole('textbox', { name: 'Connection URI' }).fill(legacy.url);
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Variable 1 name').fill('GREETING');
    await page.getByLabel('Variable 1 value').fill('hello');
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Login', 'Get user', 'Export users']);

    // The template fills the editors after a confirmation.
    page.once('dialog', (dialog) => {
      expect(dialog.type()).toBe('confirm');
      void dialog.accept();
    });
    await page.getByLabel('Template').selectOption({ label: 'PostgreSQL' });
    const loginEditor = page.getByRole('textbox', { name: 'Login script' });
    await loginEditor.filter({ hasText: 'async function login' }).waitFor();

    // A script that does not parse is marked before saving, and the server's 400 names line and column.
    await replaceEditorText(loginEditor, 'async function login(query, password, context) {\n  return {\n}\n');
    await page.getByText('These scripts do not parse yet').waitFor();
    await page.locator('.cm-lint-marker-error').first().waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const refused = await page.getByRole('alert').filter({ hasText: 'Not saved' }).textContent();
    expect(refused).toMatch(/scripts\.login: .*\(line \d+, column \d+\)/);
    await shot('02-syntax-error');

    // The template's login with a console line, saved.
    const templates = (await (await server.admin('GET', '/api/v1/custom-db/templates')).json()) as {
      list: { id: string; scripts: Record<string, string> }[];
    };
    const loginSource = withLogLine(templates.list.find((template) => template.id === 'postgres')?.scripts['login'] ?? '');
    await replaceEditorText(loginEditor, loginSource);
    await page.getByText('These scripts do not parse yet').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const saved = (await (await server.admin('GET', `/api/v1/pools/${poolId}/custom-db`)).json()) as {
      enabled: boolean;
      mode: string;
      connection: { type: string; uri: string };
      env: Record<string, string>;
      scripts: Record<string, string | null>;
    };
    expect(saved).toMatchObject({ enabled: true, mode: 'LAZY_MIGRATION', connection: { type: 'uri' }, env: { GREETING: '********' } });
    expect(saved.scripts['login']).toBe(loginSource);
    expect(saved.scripts['getUser']).toContain('async function getUser');
    await shot('03-custom-database');

    // Debug a login with alice.
    await page.getByRole('button', { name: 'Debug' }).click();
    const dialog = page.getByRole('dialog', { name: 'Debug script' });
    await dialog.waitFor();
    // Focus moves into the dialog, onto its first field.
    expect(await dialog.locator(':focus').count()).toBe(1);
    await dialog.getByLabel('Email').fill(ALICE.email);
    await dialog.getByLabel('Password').fill(ALICE.password);
    await dialog.getByRole('button', { name: 'Test' }).click();
    const result = dialog.getByRole('region', { name: 'Result' });
    await result.getByText('Success', { exact: true }).waitFor();
    expect(await result.textContent()).toContain(`"email": "${ALICE.email}"`);
    expect(await result.textContent()).toContain(`login attempt for ${ALICE.email}`);
    expect(await result.textContent()).toMatch(/took \d+ ms/);
    await shot('04-debug-success', false);

    // A wrong password is a typed failure.
    await dialog.getByLabel('Password').fill('wrong-password-1');
    await dialog.getByRole('button', { name: 'Test' }).click();
    await result.getByText('Failed', { exact: true }).waitFor();
    expect(await result.textContent()).toContain('WrongUsernameOrPasswordError');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // The connection log shows both runs, with outcome and duration.
    const log = page.getByRole('region', { name: 'Connection log' });
    await log.getByRole('cell', { name: 'success' }).first().waitFor();
    await log.getByRole('cell', { name: 'rejected' }).first().waitFor();
    expect(await log.textContent()).toMatch(/\d+ ms/);
    await shot('05-connection-log');

    // Unsaved changes ask before leaving; dismissing stays on the page.
    await page.getByLabel('Timeout (ms)').fill('6000');
    page.once('dialog', (question) => void question.dismiss());
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    expect(page.url()).toMatch(/\/custom-db$/);
    await page.getByLabel('Timeout (ms)').fill('5000');

    // alice logs in through the API: her first login migrates her.
    const login = await server.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account: ALICE.email, password: ALICE.password } });
    expect(login.statusCode).toBe(200);

    // The Users page lists her as migrated; search finds her.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    const aliceRow = page.getByRole('row').filter({ hasText: ALICE.email });
    await aliceRow.waitFor();
    expect(await aliceRow.getByText('migrated', { exact: true }).count()).toBe(1);
    await page.getByLabel('Search users').fill('nobody-like-this');
    await page.getByText('No user matches this search.').waitFor();
    await page.getByLabel('Search users').fill('alice');
    await aliceRow.waitFor();
    await shot('06-users');

    // Verify her password through the API, from the page.
    await aliceRow.getByRole('button', { name: /Verify password/ }).click();
    const verify = page.getByRole('dialog', { name: /Verify password/ });
    await verify.getByLabel('Password').fill(ALICE.password);
    await verify.getByRole('button', { name: 'Verify' }).click();
    await verify.getByText('The password is correct.').waitFor();
    await verify.getByRole('button', { name: 'Done' }).click();

    // Migration progress on the custom database page: one user, with a time.
    await page.getByRole('link', { name: 'Custom database' }).click();
    const progress = page.getByRole('region', { name: 'Migration progress' });
    await progress.getByTestId('migrated-users').filter({ hasText: /^1$/ }).waitFor();
    expect(await progress.textContent()).not.toContain('No user has migrated yet');
    await shot('07-migration-progress');

    // Import the rest: the other 99 sample users come in; then nothing is left and the
    // migration can be finished, which switches the connection off.
    await progress.getByRole('button', { name: 'Import the rest' }).click();
    await progress.getByTestId('remaining-users').filter({ hasText: /^0$/ }).waitFor({ timeout: 45_000 });
    expect(await progress.getByTestId('imported-users').textContent()).toBe('99');
    await progress.getByTestId('last-import').filter({ hasText: 'The last import finished' }).waitFor();
    await shot('07b-import-the-rest');
    page.once('dialog', (dialog) => void dialog.accept());
    await progress.getByRole('button', { name: 'Finish migration' }).click();
    await expect.poll(() => page.getByRole('switch', { name: 'Enable custom database' }).isChecked()).toBe(false);
    expect((await server.admin('GET', `/api/v1/pools/${poolId}/custom-db`)).json().enabled).toBe(false);
    const editor = page.locator('.script-tabs');
    await editor.scrollIntoViewIfNeeded();
    await editor.screenshot({ path: path.join(ARTIFACTS, '08-editor.png') });

    // A reload on a client route is served the app (SPA fallback), still signed in for this tab.
    await page.reload();
    await page.getByRole('heading', { name: 'Custom database' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Connection URI' }).inputValue()).toBe(saved.connection.uri);

    // Back to the pool list.
    await page.getByRole('link', { name: 'User pools' }).click();
    await page.getByRole('link', { name: 'Acme' }).waitFor();
    await shot('09-pools');

    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('registers an application for the pool and shows its secret once, with the issuer', async () => {
    await page.getByRole('link', { name: 'Acme' }).click();
    await page.getByRole('navigation', { name: 'Pool' }).getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications', exact: true }).waitFor();
    await page.getByText(/No applications yet/).waitFor();
    const poolId = /\/pools\/([^/]+)\/applications$/.exec(page.url())?.[1] ?? '';
    expect(poolId).not.toBe('');

    // A redirect URI the contract refuses: the API's 400 names it, next to the form.
    await page.getByRole('button', { name: 'Create application' }).click();
    const form = page.getByRole('dialog', { name: 'Create application' });
    await form.getByLabel('Name').fill('Acme shop');
    await form.getByLabel('Type').selectOption('web');
    await form.getByLabel('Redirect URIs', { exact: true }).fill('http://shop.example.com/callback');
    await form.getByRole('button', { name: 'Create application' }).click();
    await form.getByRole('alert').filter({ hasText: 'body.redirectUris[0]' }).waitFor();
    expect(await form.getByLabel('Redirect URIs', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shot('10-application-invalid-uri', false);

    await form.getByLabel('Redirect URIs', { exact: true }).fill('http://localhost:3000/callback');
    await form.getByRole('button', { name: 'Create application' }).click();
    const shown = page.getByRole('dialog', { name: 'Application created' });
    await shown.getByText('you will not see it again', { exact: false }).waitFor();
    const secret = await shown.getByRole('textbox', { name: 'Client secret' }).inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const discovery = await server.request('GET', `/oidc/${poolId}/.well-known/openid-configuration`);
    const { issuer } = JSON.parse(discovery.body) as { issuer: string };
    await expect.poll(() => shown.getByRole('textbox', { name: 'Issuer' }).inputValue()).toBe(issuer);
    await shot('11-application-secret', false);
    await shown.getByRole('button', { name: 'I have saved the secret' }).click();

    // Listed, and the secret is gone from the page and from the API's answers.
    const row = page.getByRole('row').filter({ hasText: 'Acme shop' });
    await row.getByText('http://localhost:3000/callback').waitFor();
    expect(await page.content()).not.toContain(secret);
    const listed = await server.admin('GET', `/api/v1/pools/${poolId}/applications`);
    expect(listed.body).not.toContain(secret);
    await shot('12-applications');

    expect(pageErrors).toEqual([]);
  }, 60_000);
});
