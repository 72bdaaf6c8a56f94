/**
 * `npm run sample-db` in each form, as a real child process: the embedded database, --seed
 * against real PostgreSQL and MariaDB (fresh uniquely named databases, dropped after) and the
 * MongoDB wire stand-in, --webservice, help and mistakes.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { MongoClient } from 'mongodb';
import { SAMPLE_USERS, samplePassword } from '../../src/sample-db/index.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlReachable,
  postgresReachable,
} from '../support/databases.js';
import { startMongoWireStandin } from '../support/mongo-wire-standin.js';
import { residentMb, runCli, startCli, stopAll } from './cli-process.js';

// Each throws (failing this file) when GATEHOUSE_REQUIRE_DATABASES=1 and the database is down.
const postgresUp = await postgresReachable();
const mysqlUp = await mysqlReachable();
const SKIPPED = 'unreachable, skipped; set GATEHOUSE_REQUIRE_DATABASES=1 to fail instead';

afterAll(() => stopAll());

/** Child processes share two cores with every other suite: generous, as a hung one still fails. */
const SLOW = { timeout: 120_000 };

/** No stack trace: no "    at …" frames and no source paths. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/\.ts:\d+/);
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe.concurrent('sample-db: help and mistakes', SLOW, () => {
  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run sample-db');
    expect(stdout).toContain('--seed <uri>');
  });

  it('an argument mistake names the flag and exits 1, without a stack trace', async () => {
    const { code, stdout, stderr } = await runCli(['--port', 'abc']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('sample-db: --port must be a port number from 0 to 65535, got "abc"');
    expectNoStack(stderr);
  });

  it('--seed with something that is not a database URI exits 1 with a message', async () => {
    const { code, stdout, stderr } = await runCli(['--seed', 'localhost:5432/app']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/sample-db: --seed/);
    expectNoStack(stderr);
  });

  it('--seed against an unreachable database exits 1 with the reason, its password masked', async () => {
    const uris = ['postgres://app:s3cret-pw@127.0.0.1:1/legacy', 'mysql://app:s3cret-pw@127.0.0.1:1/legacy'];
    for (const { code, stdout, stderr } of await Promise.all(uris.map((uri) => runCli(['--seed', uri])))) {
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^sample-db: could not seed (postgres|mysql):\/\/app:\*\*\*\*@127\.0\.0\.1:1\/legacy: .*ECONNREFUSED/m);
      expect(stderr).not.toContain('s3cret-pw');
      expectNoStack(stderr);
    }
  });

  it('a port in use is reported at once, naming --port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const { code, stderr } = await runCli(['--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${String(port)} is in use; choose another with --port`);
      expectNoStack(stderr);
    } finally {
      blocker.close();
    }
  });
});

describe('sample-db: the embedded database', SLOW, () => {
  it('prints one SAMPLE_DB_URI line, serves the seeded sample over pg, keeps its memory modest and stops on SIGTERM', async () => {
    const sample = await startCli(['--port', '0']);
    expect(sample.stdout()).toBe(`SAMPLE_DB_URI=${sample.uri}\n`);
    expect(sample.uri).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(sample.stderr()).toContain('alice@example.com / alice-password-1');

    const client = new pg.Client({ connectionString: sample.uri });
    await client.connect();
    const { rows } = await client.query<{ id: string; email: string; phone: string; password: string }>(
      'SELECT id, email, phone, password FROM users WHERE username = $1',
      ['alice'],
    );
    const { rows: counted } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users');
    await client.end();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: '1', email: 'alice@example.com', phone: '+15550100001' });
    expect(bcrypt.compareSync(samplePassword('alice'), rows[0]?.password ?? '')).toBe(true);
    expect(Number(counted[0]?.n)).toBe(SAMPLE_USERS.length);

    // ~310 MB measured (README); a fresh PGlite that ran initdb in-process sits near 800.
    const rss = await residentMb(sample.child.pid ?? 0);
    if (rss !== null) expect(rss).toBeLessThan(550);

    const port = Number(new URL(sample.uri).port);
    expect(await sample.stop('SIGTERM')).toBe(0);
    expect(sample.stderr()).toContain('SIGTERM: stopping the sample database');
    expect(await refusesConnections(port)).toBe(true);
  });
});

describe('sample-db --webservice', SLOW, () => {
  it('starts the sample legacy user web service with an API key, prints its URL and stops on SIGINT', async () => {
    const service = await startCli(['--webservice', '--port', '0', '--api-key', 'k-123']);
    expect(service.stdout()).toBe(`SAMPLE_DB_URI=${service.uri}\n`);
    expect(service.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const found = await fetch(`${service.uri}/users?email=alice@example.com`, { headers: { authorization: 'Bearer k-123' } });
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ totalCount: 1, list: [{ id: '1', username: 'alice', phone: '+15550100001' }] });
    const login = await fetch(`${service.uri}/login`, {
      method: 'POST',
      headers: { authorization: 'Bearer k-123', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password: samplePassword('alice') }),
    });
    expect(login.status).toBe(200);
    expect((await fetch(`${service.uri}/users/1`)).status).toBe(401);
    expect(await service.stop('SIGINT')).toBe(0);
  });
});

// Independent databases: the three seed suites run side by side.
describe.concurrent('sample-db --seed', SLOW, () => {
  describe('sample-db --seed: MongoDB wire stand-in (in-memory, not MongoDB)', () => {
    it('seeds 100 users, prints SAMPLE_DB_URI=<uri>, and a second run adds none', async () => {
      const standin = await startMongoWireStandin();
      const uri = `${standin.uri}/gh_sample_cli`;
      try {
        const first = await runCli(['--seed', uri]);
        expect(first).toMatchObject({ code: 0, stdout: `SAMPLE_DB_URI=${uri}\n` });
        expect(first.stderr).toContain('100 users added');
        const second = await runCli(['--seed', uri]);
        expect(second).toMatchObject({ code: 0, stdout: `SAMPLE_DB_URI=${uri}\n` });
        expect(second.stderr).toContain('0 users added, 100 already there');
        const client = new MongoClient(uri);
        try {
          const users = client.db().collection('users');
          expect(await users.countDocuments({})).toBe(100);
          expect(await users.findOne({ email: 'alice@example.com' })).toMatchObject({ username: 'alice', phone: '+15550100001' });
        } finally {
          await client.close();
        }
      } finally {
        await standin.close();
      }
    });
  });

  describe.skipIf(!postgresUp)(`sample-db --seed: PostgreSQL${postgresUp ? '' : ` (${SKIPPED})`}`, () => {
    it('seeds a fresh database, prints SAMPLE_DB_URI=<uri>, and running it twice is harmless', async () => {
      const database = await createPostgresDatabase('gh_sample');
      try {
        const first = await runCli(['--seed', database.url]);
        expect(first).toMatchObject({ code: 0, stdout: `SAMPLE_DB_URI=${database.url}\n` });
        expect(first.stderr).toContain('100 users added');
        const second = await runCli(['--seed', database.url]);
        expect(second).toMatchObject({ code: 0, stdout: `SAMPLE_DB_URI=${database.url}\n` });
        expect(second.stderr).toContain('0 users added, 100 already there');
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users');
          expect(Number(rows[0]?.n)).toBe(100);
          const alice = await client.query<{ id: string; password: string }>("SELECT id, password FROM users WHERE email = 'alice@example.com'");
          expect(alice.rows[0]?.id).toBe('1');
          expect(bcrypt.compareSync(samplePassword('alice'), alice.rows[0]?.password ?? '')).toBe(true);
        } finally {
          await client.end();
        }
      } finally {
        await database.drop();
      }
    });
  });

  describe.skipIf(!mysqlUp)(`sample-db --seed: MariaDB${mysqlUp ? '' : ` (${SKIPPED})`}`, () => {
    it('seeds a fresh database, prints SAMPLE_DB_URI=<uri>, and running it twice is harmless', async () => {
      const database = await createMysqlDatabase('gh_sample');
      try {
        const first = await runCli(['--seed', database.url]);
        expect(first).toMatchObject({ code: 0, stdout: `SAMPLE_DB_URI=${database.url}\n` });
        expect(first.stderr).toContain('100 users added');
        const second = await runCli(['--seed', database.url]);
        expect(second).toMatchObject({ code: 0, stdout: `SAMPLE_DB_URI=${database.url}\n` });
        expect(second.stderr).toContain('0 users added, 100 already there');
        const connection = await mysql.createConnection({ uri: database.url });
        try {
          const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT id, phone FROM users WHERE username = 'alice'");
          expect(rows[0]).toMatchObject({ phone: '+15550100001' });
          const [counted] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM users');
          expect(Number(counted[0]?.['n'])).toBe(100);
        } finally {
          await connection.end();
        }
      } finally {
        await database.drop();
      }
    });
  });
});
