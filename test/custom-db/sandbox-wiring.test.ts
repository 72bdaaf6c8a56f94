/**
 * What the server adds to the runtime's sandbox: its own HTTP port and its store are never
 * reachable from scripts (even when loopback is allowed), the allowlist is checked on save,
 * and operators can see which sandbox is in force.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { loadConfig } from '../../src/config/config.js';

const debugFetch = (url: string) => ({
  script: 'getUser',
  args: [{ email: 'x@example.com' }],
  url,
});

describe('the server protects itself from scripts (PostgreSQL store, listening)', () => {
  let t: TestServer;
  let port: number;
  let poolId: string;

  beforeAll(async () => {
    t = await startTestServer('postgres');
    await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.server.app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
    poolId = await t.createPool();
  });
  afterAll(() => t?.close());

  async function run(getUser: string, allowedHosts: string[]) {
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: null,
      allowedHosts,
      scripts: { getUser },
    });
    expect(saved.statusCode).toBe(200);
    const { script, args } = debugFetch('');
    return (await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script, args })).json();
  }

  it("refuses the server's own HTTP port even with loopback allowed", async () => {
    const answer = await run(
      `async function getUser() { const r = await fetch('http://127.0.0.1:${port}/healthz'); return { id: String(r.status) }; }`,
      ['127.0.0.1'],
    );
    expect(answer.ok).toBe(false);
    expect(answer.error.kind).toBe('denied');
  });

  it("refuses the server's own store even with loopback allowed", async () => {
    const answer = await run(
      `async function getUser() {
        const { Client } = require('pg');
        const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 });
        await client.connect();
        await client.end();
        return { id: 'reached' };
      }`,
      ['127.0.0.1'],
    );
    expect(answer.ok).toBe(false);
    expect(answer.error.kind).toBe('denied');
  });

  it('refuses an allowedHosts entry that is not a host, address or CIDR block', async () => {
    const response = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { allowedHosts: ['db.internal', 'not a host'] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/^body\.allowedHosts\[1\] must be a host name/);
  });

  it('tells the admin which sandbox is in force', async () => {
    const response = await t.admin('GET', '/api/v1/custom-db/sandbox');
    expect(response.statusCode).toBe(200);
    expect(['bwrap', 'unshare', 'none']).toContain(response.json().level);
    expect(typeof response.json().scriptsAllowed).toBe('boolean');
    expect((await t.request('GET', '/api/v1/custom-db/sandbox')).statusCode).toBe(401);
  });
});

describe('GATEHOUSE_UNSAFE_SCRIPTS', () => {
  it('is 1 or 0, else a line in the config error list', () => {
    expect(loadConfig({ GATEHOUSE_UNSAFE_SCRIPTS: '1' })).toMatchObject({ ok: true, config: { unsafeScripts: true } });
    expect(loadConfig({})).toMatchObject({ ok: true, config: { unsafeScripts: false } });
    const bad = loadConfig({ GATEHOUSE_UNSAFE_SCRIPTS: 'yes' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/GATEHOUSE_UNSAFE_SCRIPTS must be 1/);
  });
});

describe('a connection whose database server is the server own store (listening, PostgreSQL store)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('postgres');
    await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t?.close());

  it('is saved, with a warning the console shows; another server has none', async () => {
    const poolId = await t.createPool();
    const shared = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      connection: { type: 'uri', uri: 'postgres://legacy:pw@localhost:5432/legacy' },
    });
    expect(shared.statusCode).toBe(200);
    expect(shared.json().warnings).toEqual([expect.stringMatching(/also Gatehouse's own store/)]);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db`)).json().warnings).toHaveLength(1);

    const other = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      connection: { type: 'uri', uri: 'postgres://legacy:pw@127.0.0.1:5433/legacy' },
    });
    expect(other.json().warnings).toEqual([]);
  });
});
