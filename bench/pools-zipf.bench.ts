/**
 * A thousand pools on one server: each pool has its own CUSTOM_USER_STORE connection whose
 * `login` script queries the bench table on the real PostgreSQL, and logins are spread
 * over the pools with Zipf(1.0) popularity (pool k drawn with probability ∝ 1/k), as on a
 * hosted service where a few pools are busy and most are not. With more pools than the
 * runtime cap, the unpopular ones cost a cold start: this measures whether that is a
 * cliff (latency, cold starts per second) and what the runtimes cost in memory (PSS of the
 * server process and every runtime below it, sampled during the run).
 */
import { cpus } from 'node:os';
import { loadGeneratorPids, runLoad, startMemorySampler } from './load.js';
import { LOGIN_SQL, LOGIN_USERS, emailOf, passwordOf, seedLoginUsers, type LoadResult } from './login-workload.js';
import {
  cpuByRole,
  cpuSnapshot,
  createDatabase,
  createPool,
  expectStatus,
  machineBusyCpuMs,
  requestJson,
  saveConnection,
  startGatehouse,
} from './support.js';

export const ZIPF_POOLS = 1000;
const ZIPF_EXPONENT = 1.0;
/** Pools created and saved at once: enough to overlap the HTTP round trips, few enough not to swamp the store. */
const SETUP_CONCURRENCY = 4;
const PSS_SAMPLE_MS = 1000;

/**
 * One pg connection per runtime, closed after a second idle: a thousand runtimes' pools of
 * ten would exceed PostgreSQL's connection limit (100 by default) long before memory.
 */
const ZIPF_LOGIN_SCRIPT = String.raw`global.pool ??= new (require('pg').Pool)({ connectionString: env.DB_CONNECTION_URI, max: 1, idleTimeoutMillis: 1000 });
global.nodeCrypto ??= require('crypto');

async function login(query, password, context) {
  const { rows } = await global.pool.query(${JSON.stringify(LOGIN_SQL)}, [query.email]);
  const user = rows[0];
  if (!user) throw new WrongUsernameOrPasswordError('Wrong email or password');
  const hash = global.nodeCrypto.createHash('sha256').update(user.salt + password).digest();
  if (!global.nodeCrypto.timingSafeEqual(hash, user.password_hash)) throw new WrongUsernameOrPasswordError('Wrong email or password');
  return { id: String(user.id), email: user.email, username: user.username, name: user.name };
}
`;

export interface ZipfOptions {
  durationSeconds: number;
  connections: number;
  log: (line: string) => void;
}

async function inBatches<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) results[index] = await work(index);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export async function benchPoolsZipf(options: ZipfOptions): Promise<Record<string, number>> {
  const database = await createDatabase('zipf');
  try {
    await seedLoginUsers(database.url);
    const gatehouse = await startGatehouse();
    try {
      const setupStarted = performance.now();
      const paths = await inBatches(ZIPF_POOLS, SETUP_CONCURRENCY, async (i) => {
        const poolId = await createPool(gatehouse.url, `zipf ${i}`);
        await saveConnection(gatehouse.url, poolId, {
          enabled: true,
          mode: 'CUSTOM_USER_STORE',
          connection: { type: 'uri', uri: database.url },
          scripts: { login: ZIPF_LOGIN_SCRIPT },
          timeoutMs: 10_000,
        });
        return `/api/v1/pools/${poolId}/auth/login`;
      });
      options.log(`  ${ZIPF_POOLS} pools saved in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
      const [popular] = paths;
      if (popular === undefined) throw new Error('no pools');
      await expectStatus(requestJson(gatehouse.url, 'POST', popular, { email: emailOf(1), password: passwordOf(1) }, null), 200, 'first login');

      // Not counted: every pool's first login is a cold start whatever the cache does; the
      // figures are for a server that has been serving this traffic for a while.
      const zipf = { paths, exponent: ZIPF_EXPONENT, seed: 18 };
      const plan = { url: gatehouse.url, path: popular, connections: options.connections, users: LOGIN_USERS, zipf };
      await runLoad({ ...plan, durationSeconds: Math.max(3, Math.round(options.durationSeconds / 3)) });
      const runtimes = gatehouse.server.runtimes;
      const coldBefore = runtimes.stats().coldStarts;
      const sampler = startMemorySampler(process.pid, PSS_SAMPLE_MS);
      const before = process.cpuUsage();
      const processesBefore = cpuSnapshot();
      const machineBefore = machineBusyCpuMs();
      const wallBefore = performance.now();
      let result: LoadResult;
      let processesAfter: ReturnType<typeof cpuSnapshot>;
      let machineCpuMs: number;
      let wallMs: number;
      let peakPss: number;
      try {
        result = await runLoad({ ...plan, durationSeconds: options.durationSeconds, zipf: { ...zipf, seed: 19 } });
      } finally {
        // Read while the sampler still runs, so its own CPU is known and left out.
        processesAfter = cpuSnapshot();
        machineCpuMs = machineBusyCpuMs() - machineBefore;
        wallMs = performance.now() - wallBefore;
        peakPss = await sampler.stop();
      }
      const serverCpu = process.cpuUsage(before);
      const roles: Record<string, number> = { ...cpuByRole(processesBefore, processesAfter, new Set([...loadGeneratorPids(), sampler.pid])), load: result.loadGeneratorCpuMs };
      roles['sampler'] = (processesAfter.get(sampler.pid)?.cpuMs ?? 0) - (processesBefore.get(sampler.pid)?.cpuMs ?? 0);
      // Runtimes stopped and PostgreSQL backends closed during the run are gone from the
      // process snapshot; the machine's total still has them.
      roles['exited'] = Math.max(0, machineCpuMs - Object.values(roles).reduce((sum, ms) => sum + ms, 0));
      const coldStarts = runtimes.stats().coldStarts - coldBefore;
      if (result.errors > 0 || result.non2xx > 0) {
        options.log(`  zipf run: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
      }
      const stats = runtimes.stats();
      const logins = Math.max(1, result.ok);
      options.log(
        `  CPU per login: ${Object.entries(roles).map(([role, ms]) => `${role} ${(ms / logins).toFixed(2)} ms`).join(', ')}; all cores ${((100 * machineCpuMs) / (wallMs * cpus().length)).toFixed(0)}% busy`,
      );
      const perColdStart = ((roles['runtimes'] ?? 0) + (roles['postgres'] ?? 0) + (roles['exited'] ?? 0)) / Math.max(1, coldStarts);
      options.log(
        `  zipf run: ${result.rps.toFixed(0)} logins/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, ${coldStarts} cold starts (${(coldStarts / result.durationSeconds).toFixed(1)}/s), ` +
          `${stats.runtimes} runtimes bound at the end; server CPU ${((serverCpu.user + serverCpu.system) / 1000 / result.durationSeconds / 10).toFixed(0)}% of one core of ${cpus().length}`,
      );
      return {
        pools_1000_zipf_rps: result.rps,
        pools_1000_zipf_p50_ms: result.latencyP50Ms,
        pools_1000_zipf_p99_ms: result.latencyP99Ms,
        pools_1000_zipf_cold_starts_per_s: coldStarts / result.durationSeconds,
        pools_1000_zipf_failed: result.non2xx + result.errors,
        pools_1000_zipf_pss_mb: peakPss,
        pools_1000_zipf_cpu_ms_per_login: machineCpuMs / logins,
        pools_1000_zipf_server_cpu_ms_per_login: (roles['server'] ?? 0) / logins,
        pools_1000_zipf_runtime_cpu_ms_per_cold_start: perColdStart,
      };
    } finally {
      await gatehouse.close();
    }
  } finally {
    await database.drop();
  }
}
