/**
 * The monitoring page in headless Chromium against a real server (embedded store): after
 * real logins, uPlot draws its three charts on canvases, sized to the page, and the table
 * beside the logins chart counts what happened. A screenshot goes to test-artifacts/console/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasesRequired } from '../support/databases.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';
import { ensureConsoleBuilt } from './build-console.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));
const chromiumThere = existsSync(CHROMIUM);
if (!chromiumThere && databasesRequired) throw new Error(`${CHROMIUM} is missing; install it (apt-get install -y chromium)`);

describe.skipIf(!chromiumThere)('monitoring page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  let poolId: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [server] = await Promise.all([startTestServer('sqlite', {}, { runtimes: { warmSpare: false } }), ensureConsoleBuilt()]);
    poolId = await server.createPool('Acme');
    const body = { username: 'alice', email: 'alice@example.com', password: 'alice-password-1' };
    expect((await server.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body })).statusCode).toBe(201);
    for (const password of ['alice-password-1', 'alice-password-1', 'wrong-password-1']) {
      await server.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username: 'alice', password } });
    }
    base = (await server.server.app.listen({ port: 0, host: '127.0.0.1' })).replace('://0.0.0.0', '://127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the three charts beside their text', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // a Content-Security-Policy violation (uPlot's styles, say) shows as a console error
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${base}/console`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByLabel('Admin token').press('Enter');
    await page.getByRole('heading', { name: 'User pools' }).waitFor();
    await page.goto(`${base}/console/pools/${poolId}/monitoring`);
    await page.getByRole('heading', { name: 'Logins by outcome' }).waitFor();
    await page.getByRole('link', { name: 'Monitoring' }).and(page.locator('[aria-current="page"]')).waitFor();
    await page.locator('.chart canvas').nth(2).waitFor();

    const canvases = await page.locator('.chart canvas').all();
    expect(canvases).toHaveLength(3);
    for (const canvas of canvases) {
      const box = await canvas.boundingBox();
      expect(box?.width).toBeGreaterThanOrEqual(320);
      expect(box?.width).toBeLessThanOrEqual(1280);
      expect(box?.height).toBeGreaterThan(100);
    }
    // the legend names the outcomes that happened
    expect(await page.locator('.u-legend').first().textContent()).toMatch(/Success.*Wrong password/);
    const table = page.getByRole('table', { name: 'Logins in the last hour' });
    expect(await table.getByRole('row', { name: /^Success / }).getByRole('cell').textContent()).toBe('2');
    expect(await table.getByRole('row', { name: /^Wrong password / }).getByRole('cell').textContent()).toBe('1');
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitoring.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
