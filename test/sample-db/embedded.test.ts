/**
 * The embedded sample database's wire server under what Gatehouse does to it: a pg Pool of
 * several connections running parameterised queries and REPEATABLE READ READ ONLY
 * transactions at once (the stock pglite-socket multiplexer fails these), clients that
 * vanish inside a transaction, one that idles inside a transaction, the PostgreSQL template's
 * scripts called concurrently through the script runtime, the template saved unchanged in a
 * Gatehouse pool in custom user store mode (every users endpoint), and --data-dir. Lazy
 * migration through the real server is readme-quickstart.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedSampleDb, type EmbeddedSampleDb } from '../../src/sample-db/embedded.js';
import { SAMPLE_USERS, samplePassword } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { ScriptRuntimePool } from '../../src/script-runtime/index.js';
import { runUserScript } from '../../src/custom-db/script-caller.js';
import { startTestServer, type TestServer } from '../support/server.js';

const IDLE_IN_TRANSACTION_MS = 4000;

/** A bare wire-protocol client: startup, then simple queries; answers raw bytes. */
async function rawSession(port: number): Promise<{ query(sql: string): Promise<Buffer>; destroy(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = Buffer.alloc(0);
  let waiter: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    waiter?.();
  });
  /** Resolves with everything up to and including the next ReadyForQuery. */
  const untilReady = () =>
    new Promise<Buffer>((resolve) => {
      const check = () => {
        for (let at = 0; at + 5 <= received.length; ) {
          const length = received.readInt32BE(at + 1);
          if (at + 1 + length > received.length) break;
          if (received[at] === 0x5a) {
            const answer = received.subarray(0, at + 1 + length);
            received = received.subarray(at + 1 + length);
            waiter = null;
            resolve(answer);
            return;
          }
          at += 1 + length;
        }
        waiter = check;
      };
      check();
    });
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const startup = Buffer.alloc(8 + params.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4);
  params.copy(startup, 8);
  socket.write(startup);
  await untilReady();
  return {
    query(sql: string) {
      const text = Buffer.from(`${sql}\0`);
      const message = Buffer.alloc(5 + text.length);
      message[0] = 0x51;
      message.writeInt32BE(4 + text.length, 1);
      text.copy(message, 5);
      socket.write(message);
      return untilReady();
    },
    destroy: () => socket.destroy(),
  };
}

/** The ReadyForQuery status of an answer: I (idle), T (in a transaction) or E (failed transaction). */
const status = (answer: Buffer): string => String.fromCharCode(answer[answer.length - 1] ?? 0);

// One sample for the first two suites (they create no users before counting them).
let sample: EmbeddedSampleDb;
beforeAll(async () => {
  sample = await startEmbeddedSampleDb({ port: 0, idleInTransactionTimeoutMs: IDLE_IN_TRANSACTION_MS });
}, 120_000);
afterAll(async () => {
  await sample.close();
});

describe('embedded sample database: one PGlite session shared by many connections', { timeout: 120_000 }, () => {
  let pool: pg.Pool;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: sample.uri, max: 8 });
  });

  afterAll(async () => {
    await pool.end();
  });

  it('is seeded with the sample: 100 users, alice first', async () => {
    expect(sample.seeded).toEqual({ inserted: SAMPLE_USERS.length, total: SAMPLE_USERS.length });
    const { rows } = await pool.query<{ id: string; username: string }>('SELECT id, username FROM users ORDER BY id LIMIT 1');
    expect(rows[0]).toEqual({ id: '1', username: 'alice' });
  });

  it('answers a pool of 8 connections running parameterised queries and transactions at once, each correctly', async () => {
    const usernames = SAMPLE_USERS.map((user) => user.username);
    const outcomes = await Promise.all(
      Array.from({ length: 240 }, async (_, i) => {
        const id = (i % 100) + 1;
        const expected = usernames[id - 1];
        if (i % 4 === 0) {
          // The template's readPage: a snapshot of count and page on one client.
          const client = await pool.connect();
          try {
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
            const count = await client.query<{ total: string }>('SELECT count(*) AS total FROM users WHERE id <= $1', [id]);
            const page = await client.query<{ username: string }>('SELECT username FROM users WHERE id = $1 ORDER BY id LIMIT $2 OFFSET $3', [id, 1, 0]);
            await client.query('COMMIT');
            return Number(count.rows[0]?.total) === id && page.rows[0]?.username === expected;
          } finally {
            client.release();
          }
        }
        if (i % 4 === 1) {
          // A unique violation inside a transaction, then a rollback.
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const error = await client.query('INSERT INTO users (email) VALUES ($1)', ['alice@example.com']).then(
              () => null,
              (failure: { code?: string }) => failure.code,
            );
            await client.query('ROLLBACK');
            return error === '23505';
          } finally {
            client.release();
          }
        }
        const { rows } = await pool.query<{ username: string; echo: string }>('SELECT username, $2::text AS echo FROM users WHERE id = $1', [id, `call-${String(i)}`]);
        return rows[0]?.username === expected && rows[0]?.echo === `call-${String(i)}`;
      }),
    );
    expect(outcomes.filter((ok) => !ok)).toHaveLength(0);
  });

  it('rolls back and hands on the session when a client vanishes inside a transaction', async () => {
    const vanishing = await rawSession(sample.port);
    expect(status(await vanishing.query("BEGIN; INSERT INTO users (username) VALUES ('ghost')"))).toBe('T');
    // Waits for the session, which the transaction holds, then gets it when the client goes.
    const waiting = pool.query<{ n: string }>("SELECT count(*) AS n FROM users WHERE username = 'ghost'");
    vanishing.destroy();
    const { rows } = await waiting;
    expect(rows[0]?.n).toBe('0');
  });

  it('closes a connection left idle inside a transaction, so it cannot stop everyone else', async () => {
    const idle = await rawSession(sample.port);
    expect(status(await idle.query("BEGIN; INSERT INTO users (username) VALUES ('idler')"))).toBe('T');
    const started = Date.now();
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM users WHERE username = 'idler'");
    expect(rows[0]?.n).toBe('0');
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_IN_TRANSACTION_MS - 500);
    idle.destroy();
  });

  it('survives a client that ends inside an extended-protocol sequence (Parse without Sync)', async () => {
    const socket = net.connect(sample.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8 + params.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    params.copy(startup, 8);
    const sql = Buffer.from('SELECT 1\0');
    const parse = Buffer.alloc(1 + 4 + 1 + sql.length + 2);
    parse[0] = 0x50; // 'P'
    parse.writeInt32BE(parse.length - 1, 1);
    sql.copy(parse, 6); // unnamed statement: '\0' at 5, then the text, then 0 parameter types
    socket.write(Buffer.concat([startup, parse]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    const { rows } = await pool.query<{ n: number }>('SELECT $1::int AS n', [7]);
    expect(rows[0]?.n).toBe(7);
  });

  it("runs the PostgreSQL template's scripts concurrently through the script runtime (its pg Pool of 5)", async () => {
    const runtime = new ScriptRuntimePool({ warmSpare: false });
    const spec = { key: 'pglite-concurrency', scripts: templateById('postgres').scripts, env: { DB_CONNECTION_URI: sample.uri }, timeoutMs: 20_000 };
    try {
      const calls = Array.from({ length: 16 }, (_, i) => {
        const user = SAMPLE_USERS[i * 3];
        if (user === undefined) throw new Error('missing sample user');
        switch (i % 4) {
          case 0:
            return runUserScript(runtime, spec, 'searchUser', ['example.com', { page: 1 + (i % 3), limit: 10 }]);
          case 1:
            return runUserScript(runtime, spec, 'listUsers', [1 + (i % 5), 7, {}]);
          case 2:
            return runUserScript(runtime, spec, 'getUser', [{ email: user.email }, {}]);
          default:
            return runUserScript(runtime, spec, 'login', [{ username: user.username }, samplePassword(user.username), {}]);
        }
      });
      const outcomes = await Promise.all(calls);
      for (const outcome of outcomes) {
        if (!outcome.ok && outcome.error.name === 'AccountBlockedError') continue;
        expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
      }
      const searches = outcomes.filter((_, i) => i % 4 === 0);
      for (const outcome of searches) expect(outcome).toMatchObject({ ok: true, result: { totalCount: SAMPLE_USERS.length } });
    } finally {
      await runtime.close();
    }
  });
});

describe('embedded sample database behind Gatehouse: the PostgreSQL template saved unchanged, custom user store mode', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    poolId = await server.createPool('Sample store');
    const saved = await server.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'CUSTOM_USER_STORE',
      connection: { type: 'uri', uri: sample.uri },
      scripts: templateById('postgres').scripts,
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });

  afterAll(async () => {
    await server.close();
  });

  it('runs every users endpoint, login and /auth/me through the eight scripts', async () => {
    const users = `/api/v1/pools/${poolId}/users`;
    const login = await server.request('POST', `/api/v1/pools/${poolId}/auth/login`, {
      body: { account: '+15550100001', password: samplePassword('alice') },
    });
    expect(login.statusCode, login.body).toBe(200);
    const { accessToken, user } = login.json<{ accessToken: string; user: { id: string; email: string } }>();
    expect(user).toMatchObject({ id: '1', email: 'alice@example.com' });
    const me = await server.request('GET', `/api/v1/pools/${poolId}/auth/me`, { token: accessToken });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ id: '1', username: 'alice' });

    const list = await server.admin('GET', `${users}?page=1&limit=5`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({ totalCount: SAMPLE_USERS.length, list: [{ id: '1', username: 'alice' }, {}, {}, {}, {}] });
    const search = await server.admin('GET', `${users}/search?keyword=mallory`);
    expect(search.json()).toMatchObject({ totalCount: 1, list: [{ username: 'mallory', blocked: true }] });
    const find = await server.admin('GET', `${users}/find?email=bob@example.com`);
    expect(find.statusCode, find.body).toBe(200);
    expect(find.json()).toMatchObject({ id: '2', username: 'bob' });

    const created = await server.admin('POST', users, { email: 'newcomer@example.net', username: 'newcomer', password: 'newcomer-password-1' });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: string }>();
    const patched = await server.admin('PATCH', `${users}/${id}`, { nickname: 'New' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ id, nickname: 'New', email: 'newcomer@example.net' });
    const verified = await server.admin('POST', `${users}/${id}/verify-password`, { password: 'newcomer-password-1' });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(JSON.stringify(verified.json())).toContain('true');
    expect((await server.admin('GET', `${users}/${id}`)).statusCode).toBe(200);
    expect((await server.admin('DELETE', `${users}/${id}`)).statusCode).toBe(204);
    expect((await server.admin('GET', `${users}/${id}`)).statusCode).toBe(404);

    const blocked = await server.request('POST', `/api/v1/pools/${poolId}/auth/login`, {
      body: { account: 'mallory', password: samplePassword('mallory') },
    });
    expect(blocked.statusCode).toBe(403);
  });
});

describe('embedded sample database with --data-dir', { timeout: 120_000 }, () => {
  it('keeps its data across a restart, and seeding again adds nobody', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'gatehouse-sample-')), 'pgdata');
    try {
      const first = await startEmbeddedSampleDb({ port: 0, dataDir });
      expect(first.seeded.inserted).toBe(SAMPLE_USERS.length);
      const client = new pg.Client({ connectionString: first.uri });
      await client.connect();
      await client.query("INSERT INTO users (username) VALUES ('kept')");
      await client.end();
      await first.close();

      const second = await startEmbeddedSampleDb({ port: 0, dataDir });
      try {
        expect(second.seeded.inserted).toBe(0);
        const again = new pg.Client({ connectionString: second.uri });
        await again.connect();
        const { rows } = await again.query<{ n: string }>("SELECT count(*) AS n FROM users WHERE username = 'kept'");
        await again.end();
        expect(rows[0]?.n).toBe('1');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});
