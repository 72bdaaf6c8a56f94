import net from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { sandboxCapabilities } from '../../src/script-runtime/index.js';
import type { CallOutcome, ConnectionSpec } from '../../src/custom-db/contract/script-contract.js';
import { alivePid, expectSameRuntime, getUser, newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

const TIMEOUT_MS = 1000;
/** A refusal happens before any packet leaves: far quicker than the timeout. */
const QUICK_MS = TIMEOUT_MS / 2;

async function call(body: string, extra: Partial<ConnectionSpec> = {}): Promise<{ outcome: CallOutcome; s: ConnectionSpec; pid: number }> {
  const s = spec(getUser(body), { timeoutMs: TIMEOUT_MS, ...extra });
  const pid = await alivePid(pool, s);
  return { outcome: await pool.call(s, 'getUser', [{}, {}]), s, pid };
}

/** A refusal fails the call that made it, quickly, and leaves the runtime answering. */
async function expectRefused(body: string, extra: Partial<ConnectionSpec> = {}): Promise<CallOutcome> {
  const { outcome, s, pid } = await call(body, extra);
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, error: { kind: 'denied', name: 'EgressDeniedError' } });
  expect(outcome.durationMs).toBeLessThan(QUICK_MS);
  await expectSameRuntime(pool, s, pid);
  return outcome;
}

describe('egress guard', () => {
  test('fetch to 169.254.169.254 is denied quickly, not a timeout', async () => {
    const outcome = await expectRefused("await fetch('http://169.254.169.254/latest/meta-data/'); return null;");
    expect(outcome.ok === false && outcome.error.message).toContain('169.254.169.254');
  });

  test('a script that catches the refusal still fails with kind denied', async () => {
    await expectRefused("try { await fetch('http://169.254.169.254/'); } catch { await new Promise(() => {}); } return null;");
  });

  test('other spellings of the metadata address are denied too', async () => {
    await expectRefused("await fetch('http://2852039166/'); return null;"); // decimal
    await expectRefused("await fetch('http://[::ffff:169.254.169.254]/'); return null;"); // IPv4-mapped IPv6
    await expectRefused("await fetch('http://[fd00:ec2::254]/'); return null;"); // AWS IPv6 metadata
    await expectRefused("await fetch('http://[fe80::1]/'); return null;"); // IPv6 link-local
    await expectRefused("await fetch('http://0.0.0.0:5432/'); return null;");
  });

  test('metadata host names are denied without being resolved', async () => {
    await expectRefused("await fetch('http://metadata.google.internal/computeMetadata/v1/'); return null;");
  });

  test('database drivers are guarded too (pg, mysql2)', async () => {
    await expectRefused("const { Client } = require('pg'); await new Client({ host: '169.254.169.254', port: 5432 }).connect(); return null;");
    await expectRefused("const mysql = require('mysql2/promise'); await mysql.createConnection({ host: '169.254.169.254' }); return null;");
  });

  test('local sockets are denied', async () => {
    await expectRefused("const { Client } = require('pg'); await new Client({ host: '/var/run/postgresql' }).connect(); return null;");
  });

  test('allowedHosts narrows egress: hosts outside the list are denied, listed ones connect', async () => {
    const query = "const { Client } = require('pg'); const c = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' }); await c.connect(); try { const r = await c.query('SELECT 1 AS one'); return { id: r.rows[0].one }; } finally { await c.end(); }";
    const refused = await expectRefused(query, { allowedHosts: ['db.internal.example'] });
    expect(refused.ok === false && refused.error.message).toContain('allowed hosts');
    const { outcome } = await call(query, { allowedHosts: ['127.0.0.1'] });
    expect(outcome).toMatchObject({ ok: true, result: { id: 1 } });
  });

  test('a script that reaches net.Socket through a driver cannot unpatch the guard', async () => {
    await expectRefused(`
      const Socket = new (require('pg').Client)().connection.stream.constructor;
      try { delete Socket.prototype.connect; } catch {}
      try { Socket.prototype.connect = function () { return this; }; } catch {}
      try { Object.defineProperty(Socket.prototype, 'connect', { value: () => undefined }); } catch {}
      const socket = new Socket();
      socket.connect(80, '169.254.169.254');
      // With brokered egress 'connect' means the broker took the request; wait for what follows.
      await new Promise((resolve, reject) => { socket.on('error', reject); socket.on('close', () => reject(new Error('closed'))); setTimeout(resolve, 2000); });
      return null;`);
  });
});

describe.skipIf(sandboxCapabilities().level === 'none' || process.env['GATEHOUSE_TEST_SANDBOX'] === 'none')('the server\'s own services (brokered egress)', () => {
  test("the server's HTTP port and its store are refused even when loopback is allowed; the database is not", async () => {
    // A loopback canary stands in for the server's HTTP listener; PostgreSQL on 5432 is the database.
    let hits = 0;
    const canary = net.createServer((socket) => {
      hits += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const port = (canary.address() as net.AddressInfo).port;
    try {
      const serverServices = { http: { host: '0.0.0.0', port }, store: { host: '127.0.0.1', port: 5432 } };
      const connect = (target: number): string =>
        `const s = require('pg').Client; const c = new s({ host: '127.0.0.1', port: ${target}, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 800 }); await c.connect(); try { return { id: (await c.query('SELECT 1 AS one')).rows[0].one }; } finally { await c.end(); }`;
      const toServer = await expectRefused(connect(port), { allowedHosts: ['127.0.0.1'], serverServices });
      expect(toServer.ok === false && toServer.error.message).toContain("server's own service");
      // The store is PostgreSQL on 5432 here: refused to a connection whose database is elsewhere...
      const toStore = await expectRefused(connect(5432), { allowedHosts: ['127.0.0.1'], serverServices, env: { DB_HOST: 'db.example.com', DB_PORT: '5432' } });
      expect(toStore.ok === false && toStore.error.message).toContain("server's own service");
      // ...and reachable to one whose own database it is (the console warns about that setup).
      const { outcome } = await call(connect(5432), { serverServices, env: { DB_CONNECTION_URI: 'postgres://postgres@127.0.0.1:5432/postgres' } });
      expect(outcome).toMatchObject({ ok: true, result: { id: 1 } });
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => canary.close(resolve));
    }
  });
});
