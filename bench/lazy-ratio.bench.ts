/**
 * A migrated user's login under load, against what a team would write instead: a minimal
 * Fastify route that reads the user's row from an embedded SQLite database, verifies the
 * same argon2id hash (copied from Gatehouse's store after the migration) with the same
 * library, and signs the same ES256 access token. Gatehouse runs in LAZY_MIGRATION mode
 * with the bench table behind its `login` script; the users are migrated first (one
 * login each), so every measured login is local: the throttle, the store read, the
 * argon2id verify, the login's bookkeeping and the token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { verify } from '@node-rs/argon2';
import { startBaselineServer, type BaselineServer, type BaselineUser } from './baseline-server.js';
import { runLoad } from './load.js';
import { LOGIN_SCRIPT, emailOf, passwordOf, seedLoginUsers, type LoadResult } from './login-workload.js';
import { createDatabase, createPool, expectStatus, mean, requestJson, saveConnection, startGatehouse } from './support.js';

const GET_USER_SCRIPT = String.raw`global.pool ??= new (require('pg').Pool)({ connectionString: env.DB_CONNECTION_URI, max: 2 });

async function getUser(query, context) {
  const { rows } = await global.pool.query('SELECT id, email, username, name FROM bench_users WHERE email = $1', [query.email]);
  const user = rows[0];
  return user ? { id: String(user.id), email: user.email, username: user.username, name: user.name } : null;
}
`;

export interface LazyRatioOptions {
  /** migrated users the load rotates over */
  users: number;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  log: (line: string) => void;
}

interface MigratedRow extends BaselineUser {
  password_hash: string;
}

function startArgon2Baseline(rows: MigratedRow[]): Promise<BaselineServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-argon2-'));
  const database = new SqliteDatabase(path.join(dir, 'users.sqlite'));
  database.pragma('journal_mode = WAL');
  database.exec('CREATE TABLE users (email TEXT PRIMARY KEY, id TEXT NOT NULL, username TEXT NOT NULL, name TEXT NOT NULL, password_hash TEXT NOT NULL)');
  const insert = database.prepare('INSERT INTO users (email, id, username, name, password_hash) VALUES (?, ?, ?, ?, ?)');
  for (const row of rows) insert.run(row.email, row.id, row.username, row.name, row.password_hash);
  const find = database.prepare<[string], MigratedRow>('SELECT email, id, username, name, password_hash FROM users WHERE email = ?');
  return startBaselineServer(
    async (email, password) => {
      const row = find.get(email);
      if (!row || !(await verify(row.password_hash, password))) return null;
      return { id: row.id, email: row.email, username: row.username, name: row.name };
    },
    async () => {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  );
}

export async function benchLazyRatio(options: LazyRatioOptions): Promise<Record<string, number>> {
  const database = await createDatabase('lazyratio');
  try {
    await seedLoginUsers(database.url, options.users);
    const gatehouse = await startGatehouse();
    try {
      const poolId = await createPool(gatehouse.url, 'bench lazy ratio');
      await saveConnection(gatehouse.url, poolId, {
        enabled: true,
        mode: 'LAZY_MIGRATION',
        connection: { type: 'uri', uri: database.url },
        scripts: { login: LOGIN_SCRIPT, getUser: GET_USER_SCRIPT },
        timeoutMs: 10_000,
      });
      const loginPath = `/api/v1/pools/${poolId}/auth/login`;
      for (let i = 0; i < options.users; i++) {
        await expectStatus(requestJson(gatehouse.url, 'POST', loginPath, { email: emailOf(i), password: passwordOf(i) }, null), 200, `first login of user ${i}`);
      }
      const migrated = await gatehouse.server.store.db
        .selectFrom('users')
        .select(['id', 'email', 'username', 'name', 'password_hash', 'password_algorithm'])
        .where('pool_id', '=', poolId)
        .execute();
      const rows = migrated.flatMap((row) =>
        row.password_hash !== null && row.password_algorithm === 'argon2id' && row.email !== null
          ? [{ id: row.id, email: row.email, username: row.username ?? '', name: row.name ?? '', password_hash: row.password_hash }]
          : [],
      );
      if (rows.length !== options.users) throw new Error(`expected ${options.users} users migrated with argon2id hashes, found ${rows.length}`);

      const baseline = await startArgon2Baseline(rows);
      try {
        await expectStatus(requestJson(baseline.url, 'POST', loginPath, { email: emailOf(0), password: passwordOf(0) }, null), 200, 'baseline login');
        await expectStatus(requestJson(baseline.url, 'POST', loginPath, { email: emailOf(0), password: 'wrong' }, null), 401, 'baseline wrong password');
        const sides = { direct: baseline.url, lazy_next: gatehouse.url } as const;
        const plan = (url: string, durationSeconds: number) => ({ url, path: loginPath, connections: options.connections, durationSeconds, users: options.users });
        const results: Record<keyof typeof sides, LoadResult[]> = { direct: [], lazy_next: [] };
        for (let round = 0; round < options.rounds; round++) {
          const order = round % 2 === 0 ? (['direct', 'lazy_next'] as const) : (['lazy_next', 'direct'] as const);
          for (const side of order) {
            await runLoad(plan(sides[side], options.warmupSeconds));
            const result = await runLoad(plan(sides[side], options.durationSeconds));
            if (result.non2xx > 0 || result.errors > 0) throw new Error(`${side} argon2 run had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
            options.log(`  argon2 round ${round + 1} ${side}: ${result.rps.toFixed(0)} req/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms`);
            results[side].push(result);
          }
        }
        const rps = (side: keyof typeof sides) => mean(results[side].map((result) => result.rps));
        return {
          lazy_next_login_rps: rps('lazy_next'),
          direct_argon2_login_rps: rps('direct'),
          lazy_next_login_ratio_vs_direct_argon2: rps('lazy_next') / rps('direct'),
        };
      } finally {
        await baseline.close();
      }
    } finally {
      await gatehouse.close();
    }
  } finally {
    await database.drop();
  }
}
