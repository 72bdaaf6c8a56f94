/**
 * A new connection's cold start through the server: from the PUT that saves a pool's
 * custom-db connection to the answer of that pool's first login, over HTTP on 127.0.0.1.
 * Each sample uses a new pool, so a new runtime is needed; the warm spare is given time to
 * be ready before each one, as it would be on a server that is not saving connections
 * back to back.
 */
import { LOGIN_SCRIPT, TRIVIAL_LOGIN_SCRIPT, emailOf, passwordOf, seedLoginUsers } from './login-workload.js';
import { createDatabase, createPool, expectStatus, median, requestJson, saveConnection, sleep, startGatehouse } from './support.js';

/** The spare is refilled 250 ms after it is taken and takes ~250 ms to start; twice that, with room for a busy machine. */
const SPARE_SETTLE_MS = 1500;

export interface ColdStartOptions {
  samples: number;
  log: (line: string) => void;
}

export async function benchColdStart(options: ColdStartOptions): Promise<Record<string, number>> {
  const database = await createDatabase('cold');
  try {
    await seedLoginUsers(database.url, 10);
    const gatehouse = await startGatehouse();
    try {
      const variants = { trivial: TRIVIAL_LOGIN_SCRIPT, pg: LOGIN_SCRIPT } as const;
      const samples: Record<keyof typeof variants, { total: number[]; save: number[] }> = {
        trivial: { total: [], save: [] },
        pg: { total: [], save: [] },
      };
      // i = -1 is a warm-up, not counted: the first save and login of a process pay for JIT and lazy imports.
      for (let i = -1; i < options.samples; i++) {
        for (const variant of ['trivial', 'pg'] as const) {
          const poolId = await createPool(gatehouse.url, `cold ${variant} ${i}`);
          await sleep(SPARE_SETTLE_MS);
          const started = performance.now();
          await saveConnection(gatehouse.url, poolId, {
            enabled: true,
            mode: 'CUSTOM_USER_STORE',
            connection: { type: 'uri', uri: database.url },
            scripts: { login: variants[variant] },
            timeoutMs: 5000,
          });
          const saved = performance.now();
          await expectStatus(
            requestJson(gatehouse.url, 'POST', `/api/v1/pools/${poolId}/auth/login`, { email: emailOf(1), password: passwordOf(1) }, null),
            200,
            `first login (${variant})`,
          );
          const answered = performance.now();
          if (i < 0) continue;
          samples[variant].total.push(answered - started);
          samples[variant].save.push(saved - started);
        }
      }
      options.log(`  trivial script: ${samples.trivial.total.map((ms) => ms.toFixed(1)).join(', ')} ms`);
      options.log(`  pg login script: ${samples.pg.total.map((ms) => ms.toFixed(1)).join(', ')} ms`);
      return {
        script_cold_start_ms: median(samples.trivial.total),
        script_cold_start_save_ms: median(samples.trivial.save),
        script_cold_start_pg_login_ms: median(samples.pg.total),
      };
    } finally {
      await gatehouse.close();
    }
  } finally {
    await database.drop();
  }
}
