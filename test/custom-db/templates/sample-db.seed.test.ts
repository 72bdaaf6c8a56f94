/**
 * The sample-database seeders: schema created when missing, 100 users inserted, a second run
 * harmless, alice there with a hash that verifies her documented password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { MongoClient } from 'mongodb';
import { readFileSync } from 'node:fs';
import {
  MYSQL_DDL,
  POSTGRES_DDL,
  SAMPLE_USERS,
  samplePassword,
  seedMongo,
  seedMysql,
  seedPostgres,
} from '../../../src/sample-db/index.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlReachable,
  postgresReachable,
  type TestDatabase,
} from '../../support/databases.js';
import { startMongoWireStandin, type MongoWireStandin } from '../../support/mongo-wire-standin.js';

const SKIP_HINT = 'set GATEHOUSE_REQUIRE_DATABASES=1 to fail instead';

describe('sample schema and users', () => {
  it('docs/sample-schema.md shows the DDL the seeders run, word for word', () => {
    const doc = readFileSync(new URL('../../../docs/sample-schema.md', import.meta.url), 'utf8');
    expect(doc).toContain(POSTGRES_DDL);
    expect(doc).toContain(MYSQL_DDL);
  });

  it('holds 100 users with unique usernames, emails and phones', () => {
    expect(SAMPLE_USERS).toHaveLength(100);
    for (const key of ['username', 'email', 'phone'] as const) {
      expect(new Set(SAMPLE_USERS.map((user) => user[key])).size).toBe(100);
    }
    expect(SAMPLE_USERS.every((user) => user.email === user.email.toLowerCase())).toBe(true);
  });

  it('includes alice as documented and exactly one blocked user', () => {
    expect(SAMPLE_USERS[0]).toMatchObject({ username: 'alice', email: 'alice@example.com', phone: '+15550100001', blocked: false });
    expect(SAMPLE_USERS.filter((user) => user.blocked).map((user) => user.username)).toEqual(['mallory']);
  });

  it('ships bcrypt hashes of <username>-password-1 (spot check)', () => {
    for (const user of [SAMPLE_USERS[0], SAMPLE_USERS[10], SAMPLE_USERS[99]]) {
      if (user === undefined) throw new Error('missing sample user');
      expect(user.passwordHash).toMatch(/^\$2[aby]\$10\$/);
      expect(bcrypt.compareSync(samplePassword(user.username), user.passwordHash)).toBe(true);
      expect(bcrypt.compareSync('wrong', user.passwordHash)).toBe(false);
    }
  });
});

const pgUp = await postgresReachable();
describe.skipIf(!pgUp)(`seedPostgres${pgUp ? '' : ` (skipped: PostgreSQL unreachable; ${SKIP_HINT})`}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase('gh_tpl');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('creates the table and inserts the users once; a second run inserts nothing', async () => {
    expect(await seedPostgres(database.url)).toEqual({ inserted: 100, total: 100 });
    expect(await seedPostgres(database.url)).toEqual({ inserted: 0, total: 100 });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM users');
      expect(rows[0]?.count).toBe('100');
      const alice = await client.query<{ id: string; password: string; birthdate: string; blocked: boolean }>(
        "SELECT id, password, to_char(birthdate, 'YYYY-MM-DD') AS birthdate, blocked FROM users WHERE email = 'alice@example.com'",
      );
      const row = alice.rows[0];
      expect(row?.id).toBe('1');
      expect(row?.birthdate).toBe(SAMPLE_USERS[0]?.birthdate);
      expect(row?.blocked).toBe(false);
      expect(await bcrypt.compare('alice-password-1', row?.password ?? '')).toBe(true);
    } finally {
      await client.end();
    }
  });
});

const mysqlUp = await mysqlReachable();
describe.skipIf(!mysqlUp)(`seedMysql${mysqlUp ? '' : ` (skipped: MariaDB/MySQL unreachable; ${SKIP_HINT})`}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createMysqlDatabase('gh_tpl');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('creates the table and inserts the users once; a second run inserts nothing', async () => {
    expect(await seedMysql(database.url)).toEqual({ inserted: 100, total: 100 });
    expect(await seedMysql(database.url)).toEqual({ inserted: 0, total: 100 });
    const connection = await mysql.createConnection({ uri: database.url, timezone: 'Z' });
    try {
      const [count] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM users');
      expect(Number(count[0]?.['n'])).toBe(100);
      const [rows] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT id, password, created_at FROM users WHERE email = ?',
        ['alice@example.com'],
      );
      expect(String(rows[0]?.['id'])).toBe('1');
      expect((rows[0]?.['created_at'] as Date).toISOString()).toBe(SAMPLE_USERS[0]?.createdAt);
      expect(await bcrypt.compare('alice-password-1', String(rows[0]?.['password']))).toBe(true);
    } finally {
      await connection.end();
    }
  });
});

describe('seedMongo (against the MongoDB wire-protocol stand-in)', () => {
  let standin: MongoWireStandin;
  beforeAll(async () => {
    standin = await startMongoWireStandin();
  });
  afterAll(async () => {
    await standin.close();
  });

  it('creates unique indexes and inserts the users once; a second run inserts nothing', async () => {
    const uri = `${standin.uri}/gatehouse_sample`;
    expect(await seedMongo(uri)).toEqual({ inserted: 100, total: 100 });
    expect(await seedMongo(uri)).toEqual({ inserted: 0, total: 100 });
    const client = new MongoClient(uri);
    try {
      const users = client.db().collection('users');
      expect(await users.countDocuments()).toBe(100);
      const alice = await users.findOne({ email: 'alice@example.com' });
      expect(alice?.['phone']).toBe('+15550100001');
      expect(alice?.['createdAt']).toBeInstanceOf(Date);
      expect(await bcrypt.compare('alice-password-1', String(alice?.['password']))).toBe(true);
      await expect(users.insertOne({ email: 'alice@example.com' })).rejects.toMatchObject({ code: 11000 });
    } finally {
      await client.close();
    }
  });
});
