/**
 * HTTP login throughput: Gatehouse in CUSTOM_USER_STORE mode, whose `login` script queries
 * PostgreSQL through a pooled client and checks a salted SHA-256 hash, against the baseline
 * route doing the same query, check and ES256 signing in-process. Both servers run in this
 * process (one at a time under load), the load generator in its own; same table, same
 * users, same bodies, same connections and duration, each after its own warm-up; the
 * rounds alternate which side goes first.
 */
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { startBaseline } from './baseline-server.js';
import { runLoad } from './load.js';
import {
  LOGIN_SCRIPT,
  LOGIN_USERS,
  emailOf,
  passwordOf,
  seedLoginUsers,
  type LoadResult,
} from './login-workload.js';
import { profile, type ProfileSummary } from './profile.js';
import { cpus } from 'node:os';
import {
  cpuByRole,
  cpuSnapshot,
  createDatabase,
  createPool,
  expectStatus,
  mean,
  requestJson,
  saveConnection,
  startGatehouse,
} from './support.js';

export interface ThroughputOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  /** also profile one extra Gatehouse run */
  profile: boolean;
  log: (line: string) => void;
}

export interface ThroughputOutcome {
  figures: Record<string, number>;
  runs: { side: 'direct' | 'custom_store'; round: number; result: LoadResult; cpuMsPerLogin: Record<string, number>; cpuBusyPercent: number }[];
  store: string;
  profile?: ProfileSummary;
}

async function checkLogin(base: string, path: string, jwks: { keys: JWK[] }, i: number): Promise<void> {
  const body = (await expectStatus(
    requestJson(base, 'POST', path, { email: emailOf(i), password: passwordOf(i) }, null),
    200,
    `login at ${base}`,
  )) as { accessToken: string; user: { email: string } };
  if (body.user.email !== emailOf(i)) throw new Error(`login at ${base} answered another user`);
  await jwtVerify(body.accessToken, createLocalJWKSet(jwks), { issuer: 'gatehouse', algorithms: ['ES256'] });
  await expectStatus(requestJson(base, 'POST', path, { email: emailOf(i), password: 'wrong-password' }, null), 401, `wrong password at ${base}`);
}

export async function benchLoginThroughput(options: ThroughputOptions): Promise<ThroughputOutcome> {
  const database = await createDatabase('login');
  try {
    await seedLoginUsers(database.url);
    const baseline = await startBaseline(database.url);
    try {
      const gatehouse = await startGatehouse();
      try {
        const poolId = await createPool(gatehouse.url, 'bench custom store');
        await saveConnection(gatehouse.url, poolId, {
          enabled: true,
          mode: 'CUSTOM_USER_STORE',
          connection: { type: 'uri', uri: database.url },
          scripts: { login: LOGIN_SCRIPT },
          timeoutMs: 5000,
        });
        const path = `/api/v1/pools/${poolId}/auth/login`;
        const jwks = (await expectStatus(requestJson(gatehouse.url, 'GET', '/.well-known/jwks.json', undefined, null), 200, 'jwks')) as { keys: JWK[] };
        // Both answer the same logins correctly (and sign verifiable tokens) before any timing.
        await checkLogin(gatehouse.url, path, jwks, 1);
        await checkLogin(baseline.url, path, { keys: [baseline.publicJwk] }, 1);

        const sides = { direct: baseline.url, custom_store: gatehouse.url } as const;
        const runs: ThroughputOutcome['runs'] = [];
        const plan = (url: string, durationSeconds: number) => ({
          url,
          path,
          connections: options.connections,
          durationSeconds,
          users: LOGIN_USERS,
        });
        for (let round = 0; round < options.rounds; round++) {
          const order = round % 2 === 0 ? (['direct', 'custom_store'] as const) : (['custom_store', 'direct'] as const);
          for (const side of order) {
            await runLoad(plan(sides[side], options.warmupSeconds));
            const before = cpuSnapshot();
            const result = await runLoad(plan(sides[side], options.durationSeconds));
            const spent = { ...cpuByRole(before, cpuSnapshot()), load: result.loadGeneratorCpuMs };
            const cpuMsPerLogin = Object.fromEntries(Object.entries(spent).map(([role, ms]) => [role, ms / Math.max(1, result.ok)]));
            const totalCpuMs = Object.values(spent).reduce((sum, ms) => sum + ms, 0);
            const cpuBusyPercent = (100 * totalCpuMs) / (result.durationSeconds * 1000 * cpus().length);
            if (result.non2xx > 0 || result.errors > 0) {
              throw new Error(`${side} run had ${result.non2xx} non-2xx answers and ${result.errors} errors; the figures would be meaningless`);
            }
            options.log(
              `  round ${round + 1} ${side}: ${result.rps.toFixed(0)} req/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms (${result.ok} logins in ${result.durationSeconds.toFixed(1)} s)`,
            );
            options.log(
              `    CPU per login: ${Object.entries(cpuMsPerLogin).map(([role, ms]) => `${role} ${ms.toFixed(3)} ms`).join(', ')}; all cores ${cpuBusyPercent.toFixed(0)}% busy`,
            );
            runs.push({ side, round, result, cpuMsPerLogin, cpuBusyPercent });
          }
        }

        let profiled: ProfileSummary | undefined;
        if (options.profile) {
          const { summary } = await profile('custom-store-login', () => runLoad(plan(gatehouse.url, options.durationSeconds)));
          profiled = summary;
        }

        const rpsOf = (side: 'direct' | 'custom_store') => mean(runs.filter((run) => run.side === side).map((run) => run.result.rps));
        const p50Of = (side: 'direct' | 'custom_store') =>
          mean(runs.filter((run) => run.side === side).map((run) => run.result.latencyP50Ms));
        const custom = rpsOf('custom_store');
        const direct = rpsOf('direct');
        return {
          figures: {
            custom_store_login_rps: custom,
            direct_login_rps: direct,
            custom_store_login_ratio_vs_direct: custom / direct,
            custom_store_login_latency_p50_ms: p50Of('custom_store'),
            direct_login_latency_p50_ms: p50Of('direct'),
          },
          runs,
          store: gatehouse.store,
          ...(profiled ? { profile: profiled } : {}),
        };
      } finally {
        await gatehouse.close();
      }
    } finally {
      await baseline.close();
    }
  } finally {
    await database.drop();
  }
}
