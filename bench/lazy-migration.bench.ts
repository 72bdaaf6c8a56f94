/**
 * Lazy migration with the PostgreSQL template, saved unchanged, against a seeded sample
 * database: a first login runs the `login` script (a bcrypt check, cost 10, in the
 * runtime) and copies the user in with an argon2id hash; a later login of the same user is
 * local (an argon2id verify). Sequential requests over HTTP, each first login a different
 * user.
 */
import { SAMPLE_USERS, samplePassword, seedPostgres } from '../src/sample-db/index.js';
import { templateById } from '../src/custom-db/templates/index.js';
import { createDatabase, createPool, expectStatus, percentile, requestJson, saveConnection, startGatehouse } from './support.js';

export interface LazyOptions {
  users: number;
  log: (line: string) => void;
}

export async function benchLazyMigration(options: LazyOptions): Promise<Record<string, number>> {
  const database = await createDatabase('lazy');
  try {
    await seedPostgres(database.url);
    const gatehouse = await startGatehouse();
    try {
      const poolId = await createPool(gatehouse.url, 'bench lazy migration');
      await saveConnection(gatehouse.url, poolId, {
        enabled: true,
        mode: 'LAZY_MIGRATION',
        connection: { type: 'uri', uri: database.url },
        scripts: templateById('postgres').scripts,
        timeoutMs: 15_000,
      });
      const candidates = SAMPLE_USERS.filter((user) => !user.blocked);
      const login = async (username: string, what: string): Promise<number> => {
        const started = performance.now();
        await expectStatus(
          requestJson(gatehouse.url, 'POST', `/api/v1/pools/${poolId}/auth/login`, { username, password: samplePassword(username) }, null),
          200,
          what,
        );
        return performance.now() - started;
      };
      // Warm-up, not counted: the runtime's start, the pg connection, JIT on both sides.
      const [warmFirst, ...rest] = candidates;
      if (warmFirst === undefined) throw new Error('no sample users');
      await login(warmFirst.username, 'warm-up first login');
      await login(warmFirst.username, 'warm-up next login');

      const users = rest.slice(0, options.users);
      const first: number[] = [];
      for (const user of users) first.push(await login(user.username, `first login of ${user.username}`));
      const next: number[] = [];
      for (const user of users) next.push(await login(user.username, `next login of ${user.username}`));
      const migrated = (await expectStatus(requestJson(gatehouse.url, 'GET', `/api/v1/pools/${poolId}/custom-db/migration`), 200, 'migration progress')) as {
        migratedUsers: number;
      };
      if (migrated.migratedUsers !== users.length + 1) {
        throw new Error(`expected ${users.length + 1} migrated users, the server counts ${migrated.migratedUsers}`);
      }
      options.log(`  ${users.length} users: first p90 ${percentile(first, 90).toFixed(1)} ms, next p90 ${percentile(next, 90).toFixed(1)} ms`);
      return {
        lazy_first_login_p50_ms: percentile(first, 50),
        lazy_next_login_p50_ms: percentile(next, 50),
      };
    } finally {
      await gatehouse.close();
    }
  } finally {
    await database.drop();
  }
}
