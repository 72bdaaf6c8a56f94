/**
 * Serving the console: index.html for the app's pages (SPA fallback), hashed assets cached
 * for good, a clear message when the build is missing, and the route mounted in the app.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_NOT_BUILT, consoleRoutes } from '../../src/http/routes/console.js';
import { startTestServer, type TestServer } from '../support/server.js';

const INDEX = '<!doctype html><title>console</title><script type="module" src="/console/assets/index-abc123.js"></script>';

describe('console route', () => {
  let root: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'gatehouse-console-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), INDEX);
    writeFileSync(path.join(root, 'assets/index-abc123.js'), 'console.log(1)');
    app = Fastify();
    await app.register(consoleRoutes, { root });
  });

  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers index.html at /console and at every page of the app, with a strict CSP', async () => {
    for (const url of ['/console', '/console/', '/console/pools/p1/custom-db', '/console/pools/p1/users']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toBe(INDEX);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves hashed assets as immutable and answers 404 for a missing file', async () => {
    const asset = await app.inject({ method: 'GET', url: '/console/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ method: 'GET', url: '/console/assets/missing-000.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/console/../package.json' })).statusCode).not.toBe(200);
  });

  it('says to run npm run build when the console is not built', async () => {
    const bare = Fastify();
    await bare.register(consoleRoutes, { root: path.join(root, 'not-built') });
    const response = await bare.inject({ method: 'GET', url: '/console/pools/p1/users' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toBe(CONSOLE_NOT_BUILT);
    expect(response.body).toContain('npm run build');
    await bare.close();
  });
});

describe('console in the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await server.close();
  });

  it('is mounted at /console without the admin token, and kept out of the OpenAPI document', async () => {
    const response = await server.request('GET', '/console/pools/x/users');
    // 200 with the built app, or 503 saying how to build it: never the API's JSON 404 or a 401.
    if (response.statusCode === 200) {
      expect(response.body).toContain('<div id="root">');
    } else {
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('npm run build');
    }
    const openApi = (await server.request('GET', '/api/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(openApi.paths).some((key) => key.startsWith('/console'))).toBe(false);
  });
});
