/**
 * Seeders: create the sample schema when it is missing and insert the sample users. Each
 * insert skips users that are already there (matched by any unique column), so seeding twice
 * is harmless and never overwrites a sample user someone has edited.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MongoClient, MongoBulkWriteError } from 'mongodb';
import {
  MONGO_COLLECTION,
  MONGO_UNIQUE_FIELDS,
  MYSQL_DDL,
  POSTGRES_DDL,
  PROFILE_COLUMNS,
  TIMESTAMP_FIELDS,
  type ProfileField,
} from './schema.js';
import type { SampleUser } from './sample-user.js';
import { SAMPLE_USERS } from './sample-users.data.js';

export interface SeedResult {
  /** Users inserted by this run; 0 when the database already held them all. */
  readonly inserted: number;
  readonly total: number;
}

const FIELDS = Object.keys(PROFILE_COLUMNS) as ProfileField[];
const SQL_COLUMNS = [...FIELDS.map((field) => PROFILE_COLUMNS[field]), 'password'];
const TIMESTAMPS: ReadonlySet<ProfileField> = new Set(TIMESTAMP_FIELDS);

/** One row of values in SQL_COLUMNS order; timestamps as Date so each driver writes UTC. */
function sqlRow(user: SampleUser): unknown[] {
  return [
    ...FIELDS.map((field) => {
      const value = user[field];
      return TIMESTAMPS.has(field) && typeof value === 'string' ? new Date(value) : value;
    }),
    user.passwordHash,
  ];
}

export async function seedPostgres(uri: string): Promise<SeedResult> {
  // A host that never answers fails in 10 s instead of the operating system's minutes.
  const client = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(POSTGRES_DDL);
    const values: unknown[] = [];
    const tuples = SAMPLE_USERS.map((user) => {
      const placeholders = sqlRow(user).map((value) => {
        values.push(value);
        return `$${String(values.length)}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    // ON CONFLICT without a target skips a row that collides on any unique column.
    const result = await client.query(
      `INSERT INTO users (${SQL_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
      values,
    );
    return { inserted: result.rowCount ?? 0, total: SAMPLE_USERS.length };
  } finally {
    await client.end();
  }
}

export async function seedMysql(uri: string): Promise<SeedResult> {
  // timezone 'Z': Date values are written as UTC, matching what the templates read back.
  const connection = await mysql.createConnection({ uri, timezone: 'Z' });
  try {
    await connection.query(MYSQL_DDL);
    const rows = SAMPLE_USERS.map(sqlRow);
    const tuple = `(${SQL_COLUMNS.map(() => '?').join(', ')})`;
    const countUsers = async (): Promise<number> => {
      const [counted] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM users');
      return Number(counted[0]?.['n'] ?? 0);
    };
    // affectedRows cannot tell new rows from skipped ones (mysql2 asks for found rows), so
    // the inserted count is the difference.
    const before = await countUsers();
    // `id = id` is a no-op update that skips an existing user. Unlike INSERT IGNORE it does
    // not also swallow other errors (bad values, truncation).
    await connection.query(
      `INSERT INTO users (${SQL_COLUMNS.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}
       ON DUPLICATE KEY UPDATE id = id`,
      rows.flat(),
    );
    return { inserted: (await countUsers()) - before, total: SAMPLE_USERS.length };
  } finally {
    await connection.end();
  }
}

function mongoDocument(user: SampleUser): Record<string, unknown> {
  const { passwordHash, ...profile } = user;
  const document: Record<string, unknown> = { ...profile, password: passwordHash };
  for (const field of TIMESTAMP_FIELDS) {
    const value = profile[field];
    document[field] = value === null ? null : new Date(value);
  }
  return document;
}

const DUPLICATE_KEY = 11000;

/** Seeds the database named in the URI's path (`mongodb://host/dbname`; the driver's `test` without one). */
export async function seedMongo(uri: string): Promise<SeedResult> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const users = client.db().collection(MONGO_COLLECTION);
    await users.createIndexes(
      MONGO_UNIQUE_FIELDS.map((field) => ({
        key: { [field]: 1 },
        name: `${field}_unique`,
        unique: true,
        partialFilterExpression: { [field]: { $type: 'string' } },
      })),
    );
    try {
      const result = await users.insertMany(SAMPLE_USERS.map(mongoDocument), { ordered: false });
      return { inserted: result.insertedCount, total: SAMPLE_USERS.length };
    } catch (error) {
      // Unordered: every user not already present went in; only duplicates may fail.
      if (
        error instanceof MongoBulkWriteError &&
        [error.writeErrors].flat().every((writeError) => writeError.code === DUPLICATE_KEY)
      ) {
        return { inserted: error.result.insertedCount, total: SAMPLE_USERS.length };
      }
      throw error;
    }
  } finally {
    await client.close();
  }
}
