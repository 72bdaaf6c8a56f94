/** A real query from inside a script against the local PostgreSQL (trust auth on 127.0.0.1). */
import { afterAll, describe, expect, test } from 'vitest';
import { newPool, spec } from './helpers.js';

const pool = newPool();
const schema = `gh_script_runtime_${process.pid}_${Date.now()}`;
const env = { DB_HOST: '127.0.0.1', DB_PORT: '5432', DB_USERNAME: 'postgres', DB_DATABASE: 'postgres', SCHEMA: schema };

/** A pooled client cached on `global`, released in `finally`, as the templates do it. */
const PRELUDE = `
const { Pool } = require('pg');
global.pool ??= new Pool({ host: env.DB_HOST, port: Number(env.DB_PORT), user: env.DB_USERNAME, database: env.DB_DATABASE, max: 4 });
`;

const connection = spec(
  {
    getUser: `${PRELUDE}
async function getUser(query) {
  const client = await global.pool.connect();
  try {
    const { rows } = await client.query('SELECT 1 AS one, current_database() AS db');
    return { id: String(rows[0].one), database: rows[0].db };
  } finally {
    client.release();
  }
}`,
    createUser: `${PRELUDE}
async function createUser(userinfo) {
  await global.pool.query(\`CREATE SCHEMA IF NOT EXISTS "\${env.SCHEMA}"\`);
  await global.pool.query(\`CREATE TABLE IF NOT EXISTS "\${env.SCHEMA}".users (id serial PRIMARY KEY, email text UNIQUE NOT NULL, password text NOT NULL)\`);
  const bcrypt = require('bcrypt');
  try {
    const { rows } = await global.pool.query(
      \`INSERT INTO "\${env.SCHEMA}".users (email, password) VALUES ($1, $2) RETURNING id, email\`,
      [userinfo.email, await bcrypt.hash(userinfo.password, 4)],
    );
    return rows[0];
  } catch (error) {
    if (error.code === '23505') throw new UserExistsError('User already exists');
    throw error;
  }
}`,
  },
  { env, timeoutMs: 5000 },
);

afterAll(async () => {
  await pool.call(
    spec({ deleteUser: `async function deleteUser() { const { Client } = require('pg'); const c = new Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' }); await c.connect(); try { await c.query('DROP SCHEMA IF EXISTS "${schema}" CASCADE'); } finally { await c.end(); } return true; }` }),
    'deleteUser',
    ['x', {}],
  );
  await pool.close();
});

describe('real drivers inside a script', () => {
  test('a pg query against the local PostgreSQL answers', async () => {
    const outcome = await pool.call(connection, 'getUser', [{ id: '1' }, {}]);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true, result: { id: '1', database: 'postgres' } });
  });

  test('a pooled client on global serves concurrent calls, and a unique violation becomes UserExistsError', async () => {
    const created = await pool.call(connection, 'createUser', [{ email: 'a@example.com', password: 'pw' }, {}]);
    expect(created, JSON.stringify(created)).toMatchObject({ ok: true, result: { email: 'a@example.com' } });
    const again = await pool.call(connection, 'createUser', [{ email: 'a@example.com', password: 'pw' }, {}]);
    expect(again).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'UserExistsError' } });
    const many = await Promise.all(Array.from({ length: 20 }, () => pool.call(connection, 'getUser', [{ id: '1' }, {}])));
    expect(many.every((o) => o.ok)).toBe(true);
  });
});
