/**
 * Attacks by the holder of a key scoped to pool A on the server's own PostgreSQL store,
 * through pool A's scripts. Each test saves a connection with the scoped key and then has
 * a script read pool B's users straight from the store: the save must be refused, or the
 * script's connection denied by the egress broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Reads another pool's user from the store's `users` table, on the connection's database settings or the given ones. */
const READ_OTHER_POOL = (target: string) => `async function getUser() {
  const { Client } = require('pg');
  const client = new Client({ ${target}, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const rows = await client.query("select email from users where email like '%@pool-b.example'");
    return { id: 'leak', email: rows.rows[0] ? rows.rows[0].email : 'no rows' };
  } finally {
    await client.end();
  }
}`;

const hasPostgres = await postgresReachable();

async function serverWithScopedKey(databaseUrl: (db: TestDatabase) => string) {
  const db = await createPostgresDatabase();
  const t = await startTestServer('postgres', { databaseUrl: databaseUrl(db) });
  await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  const own = await t.createPool('A');
  const other = await t.createPool('B');
  const victim = await t.admin('POST', `/api/v1/pools/${other}/users`, { email: 'victim@pool-b.example', password: 'Victim-password-1' });
  expect(victim.statusCode, victim.body).toBe(201);
  const key = await t.admin('POST', '/api/v1/admin-keys', { name: 'pool A team', poolId: own });
  expect(key.statusCode, key.body).toBe(201);
  const token = (key.json() as { token: string }).token;
  return { t, db, own, token };
}

/** What a debug run of getUser answered: ok with the leaked email, or the failure. */
async function probe(t: TestServer, own: string, token: string) {
  const run = await t.request('POST', `/api/v1/pools/${own}/custom-db/debug`, {
    token,
    body: { script: 'getUser', args: [{ email: 'x@example.com' }] },
  });
  return run.json() as { ok: boolean; result?: { email?: string }; error?: { kind: string } };
}

describe.skipIf(!hasPostgres)("a scoped key cannot reach the server's store through its scripts", () => {
  describe('store URL naming its host "localhost", connection host "localhost." (trailing dot)', () => {
    let s: Awaited<ReturnType<typeof serverWithScopedKey>>;
    beforeAll(async () => {
      s = await serverWithScopedKey((db) => db.url.replace('127.0.0.1', 'localhost'));
    });
    afterAll(async () => {
      await s?.t.close();
      await s?.db.drop();
    });

    it('is refused on save, and the store is out of reach', async () => {
      const saved = await s.t.request('PUT', `/api/v1/pools/${s.own}/custom-db`, {
        token: s.token,
        body: {
          enabled: true,
          mode: 'LAZY_MIGRATION',
          connection: { type: 'programmatic', host: 'localhost.', port: 5432, username: 'postgres', password: '', database: s.db.name },
          scripts: { getUser: READ_OTHER_POOL('host: env.DB_HOST, port: Number(env.DB_PORT), user: env.DB_USERNAME, database: env.DB_DATABASE') },
        },
      });
      const answer = saved.statusCode === 200 ? await probe(s.t, s.own, s.token) : null;
      expect(answer?.result?.email, 'pool B user read from the store by pool A script').not.toBe('victim@pool-b.example');
      expect(saved.statusCode, saved.body).toBe(403);
    });
  });

  describe('store URL without a host in its authority (postgres:///db?host=127.0.0.1, as pg reads it)', () => {
    let s: Awaited<ReturnType<typeof serverWithScopedKey>>;
    beforeAll(async () => {
      s = await serverWithScopedKey((db) => `postgres://postgres@/${db.name}?host=127.0.0.1`);
    });
    afterAll(async () => {
      await s?.t.close();
      await s?.db.drop();
    });

    it("denies a script the store's host and port even when loopback is allowed", async () => {
      const saved = await s.t.request('PUT', `/api/v1/pools/${s.own}/custom-db`, {
        token: s.token,
        body: {
          enabled: true,
          mode: 'LAZY_MIGRATION',
          connection: null,
          allowedHosts: ['127.0.0.1'],
          scripts: { getUser: READ_OTHER_POOL(`host: '127.0.0.1', port: 5432, user: 'postgres', database: '${s.db.name}'`) },
        },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      const answer = await probe(s.t, s.own, s.token);
      expect(answer.result?.email, 'pool B user read from the store by pool A script').not.toBe('victim@pool-b.example');
      expect(answer.ok).toBe(false);
      expect(answer.error?.kind).toBe('denied');
    });
  });
});
