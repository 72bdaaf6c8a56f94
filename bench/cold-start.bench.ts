/**
 * A new connection's cold start through the server: from the PUT that saves a pool's
 * custom-db connection to the answer of that pool's first login, over HTTP on 127.0.0.1.
 * Each sample uses a new pool, so a new runtime is needed; the warm spare is given time to
 * be ready before each one, as it would be on a server that is not saving connections
 * back to back. The client runs in its own process (bench/cold-start-client.ts).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColdStartSample, ColdStartTiming } from './cold-start-client.js';
import { LOGIN_SCRIPT, TRIVIAL_LOGIN_SCRIPT, emailOf, passwordOf, seedLoginUsers } from './login-workload.js';
import { ADMIN_TOKEN, createDatabase, createPool, median, sleep, startGatehouse } from './support.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** A client process that measures one sample per message. */
function startClient(): { measure: (sample: ColdStartSample) => Promise<ColdStartTiming>; close: () => void } {
  const child = fork(path.join(HERE, 'cold-start-client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    measure: (sample) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null): void => reject(new Error(`cold-start client exited with ${String(code)}`));
        child.once('exit', onExit);
        child.once('message', (timing: ColdStartTiming) => {
          child.off('exit', onExit);
          resolve(timing);
        });
        child.send(sample);
      }),
    close: () => child.kill('SIGKILL'),
  };
}

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
    const client = startClient();
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
          const timing = await client.measure({
            url: gatehouse.url,
            adminToken: ADMIN_TOKEN,
            poolId,
            connection: { enabled: true, mode: 'CUSTOM_USER_STORE', connection: { type: 'uri', uri: database.url }, scripts: { login: variants[variant] }, timeoutMs: 5000 },
            login: { email: emailOf(1), password: passwordOf(1) },
          });
          if (!timing.ok) throw new Error(`cold start (${variant}): ${timing.message}`);
          if (i < 0) continue;
          samples[variant].total.push(timing.totalMs);
          samples[variant].save.push(timing.saveMs);
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
      client.close();
      await gatehouse.close();
    }
  } finally {
    await database.drop();
  }
}
