/**
 * `npm run bench [-- --quick] [-- --no-profile] [-- --only=zipf,argon2]`: every benchmark in turn against the local
 * PostgreSQL, one `name: value` line per figure, the goals with met/missed, and
 * bench/RESULTS.md. Throwaway databases and processes are removed however the run ends.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { benchScriptRuntime } from './script-runtime.bench.js';
import { benchColdStart } from './cold-start.bench.js';
import { benchLoginThroughput, type ThroughputOutcome } from './login-throughput.bench.js';
import { benchLazyMigration } from './lazy-migration.bench.js';
import { benchLazyRatio } from './lazy-ratio.bench.js';
import { benchPoolsZipf } from './pools-zipf.bench.js';
import { benchMemory } from './memory.bench.js';
import { benchOidc } from './oidc.bench.js';
import { benchImport } from './import.bench.js';
import { killLoadGenerators } from './load.js';
import { POSTGRES_ADMIN_URL, closeAllServers, cpuSnapshot, dropAllDatabases, round } from './support.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'RESULTS.md');
const NOTES_START = '<!-- notes:start (kept across runs) -->';
const NOTES_END = '<!-- notes:end -->';

const quick = process.argv.includes('--quick');
/** A CPU profile of the server under the custom-store login load, in RESULTS.md: on unless `--no-profile`. */
const wantProfile = !process.argv.includes('--no-profile');
/** `--only=zipf,argon2`: the sections whose titles contain one of these; RESULTS.md is then left alone. */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');

const settings = quick
  ? { connections: 10, durationSeconds: 3, warmupSeconds: 1, rounds: 1, coldSamples: 5, lazyUsers: 20, signIns: 15, zipfSeconds: 10 }
  : { connections: 10, durationSeconds: 10, warmupSeconds: 3, rounds: 2, coldSamples: 9, lazyUsers: 60, signIns: 40, zipfSeconds: 30 };

interface Goal {
  figure: string;
  op: '<=' | '>=';
  limit: number;
  aim?: number;
}

const GOALS: Goal[] = [
  { figure: 'script_call_overhead_p50_ms', op: '<=', limit: 0.5 },
  { figure: 'script_cold_start_ms', op: '<=', limit: 20 },
  { figure: 'custom_store_login_ratio_vs_direct', op: '>=', limit: 0.85 },
  { figure: 'lazy_next_login_ratio_vs_direct_argon2', op: '>=', limit: 0.9 },
  { figure: 'pools_1000_zipf_p99_ms', op: '<=', limit: 100 },
  { figure: 'pools_1000_zipf_pss_mb', op: '<=', limit: 2048 },
  { figure: 'import_users_per_second', op: '>=', limit: 5000 },
  { figure: 'import_peak_rss_mb', op: '<=', limit: 200 },
];

/** What each figure is and how it was measured, for RESULTS.md. */
const EXPLAINED: Record<string, string> = {
  script_call_overhead_p50_ms:
    'Warm call of a trivial `getUser` through `ScriptRuntimePool.call` (IPC to the runtime child and back, result validation), minus the direct call; median of 3000 sequential calls after 500 warm-up calls.',
  script_call_overhead_p99_ms: 'The same, 99th percentile (mostly scheduling noise of a 2-core machine).',
  direct_call_p50_ms: 'The same script function compiled and awaited in-process; median of 3000.',
  runtime_pool_cold_start_ms:
    '`ScriptRuntimePool.call` of a new connection (trivial script) taking the warm spare, from `benchScriptRuntime`: the runtime part of a cold start without HTTP, store or config; median of 7.',
  script_cold_start_without_spare_ms:
    '`ScriptRuntimePool` first call of a new connection with no warm spare (a process started from the startup snapshot, under the permission model, once the snapshot is built); median of 7.',
  script_cold_start_without_spare_normal_start_ms: 'The same with the startup snapshot off (`startupSnapshot: false`): every module loaded and compiled at start, as before the snapshot and as its fallback; median of 7.',
  runtime_start_cpu_normal_start_ms: 'CPU time of those normal starts’ process trees, measured as `runtime_start_cpu_ms`; median of 7.',
  runtime_start_cpu_ms:
    'CPU time of the runtime’s whole process tree (sandbox wrapper, its init, node; every thread, from /proc/<pid>/task/<tid>/schedstat) by the end of those first calls: what one process start costs the machine; median of 7.',
  runtime_rss_mb: 'Resident memory of one connection runtime (trivial script) after 3500 calls, from /proc.',
  script_cold_start_ms:
    'Through the server over HTTP, from a client in its own process (bench/cold-start-client.ts): `PUT …/custom-db` of a new pool (trivial `login` script, CUSTOM_USER_STORE) until the answer of its first `POST …/auth/login`; the warm spare given 1.5 s to be ready before each sample; median.',
  script_cold_start_save_ms: 'The PUT alone (parse check, seal, store write, invalidate) of the samples above; median.',
  script_cold_start_pg_login_ms:
    'As `script_cold_start_ms`, but the first login runs the benchmark’s pg login script: includes `require("pg")` in the runtime and its first PostgreSQL connection.',
  custom_store_login_rps:
    'Successful HTTP logins per second of Gatehouse (in this process, embedded SQLite store) in CUSTOM_USER_STORE mode; the `login` script queries `bench_users` with a pooled `pg` client and checks a salted SHA-256. autocannon in its own process, bodies rotating over 1000 users; mean of the rounds.',
  direct_login_rps:
    'The baseline: a minimal Fastify route in this process doing the same query (same table, same pool size), the same hash check, and signing the same ES256 JWT with jose; same load, connections and duration.',
  custom_store_login_ratio_vs_direct: '`custom_store_login_rps / direct_login_rps`.',
  custom_store_login_latency_p50_ms: 'autocannon’s median latency of the Gatehouse runs (10 connections).',
  direct_login_latency_p50_ms: 'autocannon’s median latency of the baseline runs.',
  lazy_first_login_p50_ms:
    'LAZY_MIGRATION with the PostgreSQL template against the seeded sample database: a user’s first login (script bcrypt check, cost 10, then argon2id hash and insert); sequential over HTTP, a different user each; median.',
  lazy_next_login_p50_ms: 'Later logins of the same users (local argon2id verify, no script); median.',
  lazy_next_login_rps:
    'Successful HTTP logins per second of users already migrated by a LAZY_MIGRATION pool (bench table behind its `login` script; argon2id hashes in the embedded SQLite store), autocannon in its own process rotating over the migrated users; mean of the rounds.',
  direct_argon2_login_rps:
    'The baseline: a minimal Fastify route reading the user from an embedded SQLite file, verifying the same argon2id hashes (copied from Gatehouse’s store) with @node-rs/argon2, and signing the same ES256 JWT; same load.',
  lazy_next_login_ratio_vs_direct_argon2: '`lazy_next_login_rps / direct_argon2_login_rps`.',
  pools_1000_zipf_rps:
    '1,000 pools, each its own CUSTOM_USER_STORE connection with a `pg` login script (one pooled connection, closed after 1 s idle) against the bench table; logins spread over the pools with Zipf(1.0) popularity (seeded), 10 connections for 30 s (10 s with --quick), default runtime pool options; successful logins per second, after a Zipf warm-up of a third of that (not counted).',
  pools_1000_zipf_p50_ms: 'autocannon’s median latency of that run.',
  pools_1000_zipf_p99_ms: 'autocannon’s 99th percentile latency of that run.',
  pools_1000_zipf_cold_starts_per_s: 'Runtimes bound to a pool per second during the run (`ScriptRuntimePool.stats().coldStarts`): a spare taken or a new process started.',
  pools_1000_zipf_failed: 'Non-2xx answers and errors of that run (0 expected).',
  pools_1000_zipf_pss_mb:
    'Highest total PSS, sampled every second during the run, of the process serving Gatehouse (the benchmark’s own process) and every process below it (runtimes and their sandbox wrappers), the load generator excluded.',
  pools_1000_zipf_cpu_ms_per_login:
    'CPU time of the whole machine (all cores busy, from /proc/stat: this process, runtimes, PostgreSQL, the load generator and processes that exited during the run) per successful login of that run.',
  pools_1000_zipf_server_cpu_ms_per_login: 'The share of that in the process serving Gatehouse (the benchmark’s own process).',
  pools_1000_zipf_runtime_cpu_ms_per_cold_start:
    'CPU time of runtimes (live, and stopped during the run) and PostgreSQL (its backends do the queries and start a connection per new runtime) per cold start of that run: what a pool without a live runtime costs beyond the server’s own work.',
  server_idle_rss_mb: 'A fresh `node dist/main.js` (SQLite store), one /healthz served, 3 s idle: resident memory of the server process alone.',
  server_idle_pss_mb: 'The same, proportional set size (shared pages split between processes sharing them).',
  server_idle_with_spare_rss_mb: 'The idle server plus its children (the warm spare runtime).',
  server_idle_child_processes: 'Child processes of the idle server (1 = the warm spare).',
  runtimes_100_pools_rss_mb:
    'The same server after 100 pools’ runtimes were requested in turn (each saved with a script that loads `pg`, then run once through the debug endpoint), default cap 50: RSS of the server plus every runtime child, 2 s after the last call.',
  runtimes_100_pools_pss_mb: 'The same, PSS (a fairer total: the node binary’s pages are shared).',
  runtimes_100_pools_peak_rss_mb: 'Highest RSS total sampled while the 100 runtimes were requested.',
  runtimes_100_pools_child_processes: 'Runtime processes alive at the end, the warm spare included: the cap and its eviction at work.',
  oidc_sign_in_p50_ms:
    'A full OpenID Connect sign-in of a local user over HTTP (embedded SQLite store): GET /authorize → the hosted sign-in page → form post (argon2id verify) → redirects → code exchange at the token endpoint; sequential, after 3 warm-up sign-ins; median.',
  token_refresh_rps:
    'Refresh-token grants per second at the pool\'s token endpoint (oidc-provider, state in SQLite, rotation and reuse detection, client secret checked against its hash), 10 closed-loop chains each refreshing its own token, in the benchmark\'s process.',
  direct_refresh_rps: 'The baseline under the same loop: a bare node:http route checking the secret hash, swapping the refresh token in memory and signing an ES256 access token with jose.',
  token_refresh_ratio_vs_direct: '`token_refresh_rps / direct_refresh_rps`.',
  import_users_per_second:
    '`POST …/users/import` of 100,000 NDJSON users (Auth0 export lines with a bcrypt hash, stored not verified) to a fresh `node dist/main.js` (embedded SQLite store), the body generated as it streams; from the first byte sent until the job reads `done`.',
  import_users_per_server_cpu_second:
    'The same import per second of CPU time (user + system, from /proc) the server process used: what one core does when the machine is shared.',
  import_peak_rss_mb: 'Highest resident memory of that server process, sampled every 50 ms during the import.',
  import_idle_rss_mb: 'The same server just before the import (the baseline the peak is compared with).',
};

const figures: Record<string, number> = {};
const failures: string[] = [];
const details: string[] = [];
let throughput: ThroughputOutcome | undefined;
let buildNote = '';

function print(name: string, value: number): void {
  figures[name] = value;
  console.log(`${name}: ${round(value)}`);
}

async function section(title: string, work: () => Promise<void>): Promise<void> {
  if (only !== undefined && !only.some((part) => title.includes(part))) return;
  const started = performance.now();
  console.error(`# ${title}`);
  try {
    await work();
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push(`${title}: ${message.split('\n')[0] ?? ''}`);
    console.error(`  FAILED: ${message}`);
  }
  console.error(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const log = (line: string) => {
  details.push(line);
  console.error(line);
};

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killLoadGenerators();
    await closeAllServers();
    await dropAllDatabases();
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

function goalLines(): string[] {
  return GOALS.map((goal) => {
    const value = figures[goal.figure];
    if (value === undefined || Number.isNaN(value)) return `goal ${goal.figure} ${goal.op} ${goal.limit}: not measured`;
    const meets = (limit: number) => (goal.op === '<=' ? value <= limit : value >= limit);
    const aim = goal.aim === undefined ? '' : `; aim ${goal.op} ${goal.aim}: ${meets(goal.aim) ? 'met' : 'missed'}`;
    return `goal ${goal.figure} ${goal.op} ${goal.limit}: ${meets(goal.limit) ? 'met' : 'MISSED'} (${round(value)})${aim}`;
  });
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

function writeResults(machine: string[], started: Date, seconds: number, otherCpuPercent: number): void {
  const previous = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const start = previous.indexOf(NOTES_START);
  const end = previous.indexOf(NOTES_END);
  const notes =
    start >= 0 && end > start
      ? previous.slice(start, end + NOTES_END.length)
      : `${NOTES_START}\n## Notes\n\n(Findings, fixes and before/after figures; this block is kept when RESULTS.md is regenerated.)\n${NOTES_END}`;
  const rows = Object.entries(figures).map(
    ([name, value]) => `| \`${name}\` | ${round(value)} | ${EXPLAINED[name] ?? ''} |`,
  );
  const runs = (throughput?.runs ?? []).map(({ side, round: r, result, cpuMsPerLogin, cpuBusyPercent }) => {
    const cpu = (role: string) => (cpuMsPerLogin[role] ?? 0).toFixed(3);
    return `| ${r + 1} | ${side} | ${result.rps.toFixed(0)} | ${result.latencyP50Ms} | ${result.latencyP99Ms} | ${cpu('server')} | ${cpu('runtimes')} | ${cpu('postgres')} | ${cpu('load')} | ${cpu('other')} | ${cpuBusyPercent.toFixed(0)}% |`;
  });
  const text = [
    '# Benchmark results',
    '',
    `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` (bench/run.ts) on ${started.toISOString()}, in ${seconds.toFixed(0)} s.`,
    `${quick ? 'Quick run: 3 s load runs, 1 round, fewer samples.' : 'Full run: 10 s load runs after 3 s warm-ups, 2 rounds alternating which side goes first.'}`,
    '',
    '## Machine',
    '',
    ...machine.map((line) => `- ${line}`),
    `- Other processes' CPU during the run (not this benchmark's; a lower bound, processes that exited meanwhile are not seen): ${otherCpuPercent.toFixed(0)}% of all cores${otherCpuPercent > 10 ? ' — the machine was shared; throughput figures are affected' : ''}`,
    '',
    '## Goals',
    '',
    ...goalLines().map((line) => `- ${line}`),
    ...(failures.length > 0 ? ['', '## Failed sections', '', ...failures.map((line) => `- ${line}`)] : []),
    '',
    '## Figures',
    '',
    '| figure | value | what and how |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '## Login throughput runs',
    '',
    `Gatehouse's own store: ${throughput?.store ?? 'sqlite'} (embedded, the \`npm start\` default). Both servers run in the benchmark's process, one at a time under load;`,
    'autocannon runs in a child process. CPU per login is user+system time from /proc over the measured run, by role: `server` (this',
    'process), `runtimes` (its script runtime children), `postgres` (all backends), `load` (autocannon), `other` (anything else on the machine).',
    '',
    '| round | side | req/s | p50 ms | p99 ms | server CPU ms/login | runtimes | postgres | load | other | all cores busy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs,
    ...(throughput?.profile ? ['', '### CPU profile of the server process under the Gatehouse load', '', '```', ...throughput.profile.lines, '```'] : []),
    '',
    '## Log of this run',
    '',
    '```',
    ...details,
    `memory: ${buildNote}`,
    '```',
    '',
    notes,
    '',
  ].join('\n');
  writeFileSync(RESULTS, text);
}

async function main(): Promise<void> {
  const started = new Date();
  const cpuStart = cpuSnapshot();
  const machine = [
    `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory`,
    `Node ${process.version}, ${os.type()} ${os.release()}`,
    `PostgreSQL ${await postgresVersion()} on 127.0.0.1:5432`,
    `load average at start: ${os.loadavg().map((n) => n.toFixed(2)).join(', ')}`,
  ];
  console.error(`bench (${quick ? 'quick' : 'full'}) on ${machine.join('; ')}`);

  await section('script runtime', async () => {
    // The pool-level cold start is printed under its own name: script_cold_start_ms is the
    // figure measured through the server below.
    const renamed: Record<string, string> = { script_cold_start_ms: 'runtime_pool_cold_start_ms' };
    for (const [name, value] of Object.entries(await benchScriptRuntime())) print(renamed[name] ?? name, value);
  });
  await section('cold start through the server', async () => {
    for (const [name, value] of Object.entries(await benchColdStart({ samples: settings.coldSamples, log }))) print(name, value);
  });
  await section('login throughput', async () => {
    throughput = await benchLoginThroughput({
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      rounds: settings.rounds,
      profile: wantProfile,
      log,
    });
    for (const [name, value] of Object.entries(throughput.figures)) print(name, value);
    if (throughput.profile) for (const line of throughput.profile.lines) console.error(line);
  });
  await section('lazy migration', async () => {
    for (const [name, value] of Object.entries(await benchLazyMigration({ users: settings.lazyUsers, log }))) print(name, value);
  });
  await section('lazy migration against a direct argon2id endpoint', async () => {
    const outcome = await benchLazyRatio({
      users: settings.lazyUsers,
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      rounds: settings.rounds,
      log,
    });
    for (const [name, value] of Object.entries(outcome)) print(name, value);
  });
  await section('1,000 pools, Zipf(1.0) popularity', async () => {
    const outcome = await benchPoolsZipf({ durationSeconds: settings.zipfSeconds, connections: settings.connections, log });
    for (const [name, value] of Object.entries(outcome)) print(name, value);
  });
  await section('OpenID Connect', async () => {
    const outcome = await benchOidc({ signIns: settings.signIns, durationSeconds: settings.durationSeconds, concurrency: settings.connections, log });
    for (const [name, value] of Object.entries(outcome)) print(name, value);
  });
  await section('bulk import', async () => {
    const outcome = await benchImport({ users: 100_000, log, rebuild: true });
    for (const [name, value] of Object.entries(outcome.figures)) print(name, value);
  });
  await section('memory', async () => {
    const outcome = await benchMemory({ log, rebuild: !quick });
    buildNote = outcome.build;
    for (const [name, value] of Object.entries(outcome.figures)) print(name, value);
  });

  const elapsed = (Date.now() - started.getTime()) / 1000;
  const cpuEnd = cpuSnapshot();
  // Processes of this run: this process's descendants, and PostgreSQL. (Processes that
  // exited before the end are not seen, so "other" is a lower bound.)
  const isMine = (pid: number): boolean => {
    for (let current = cpuEnd.get(pid), hops = 0; current !== undefined && hops < 10; current = cpuEnd.get(current.ppid), hops++) {
      if (current.pid === process.pid || current.comm === 'postgres') return true;
    }
    return false;
  };
  let otherMs = 0;
  for (const [pid, now] of cpuEnd) if (!isMine(pid)) otherMs += Math.max(0, now.cpuMs - (cpuStart.get(pid)?.cpuMs ?? 0));
  const otherCpuPercent = (100 * otherMs) / (elapsed * 1000 * os.cpus().length);

  for (const line of goalLines()) console.log(line);
  if (only === undefined) {
    writeResults(machine, started, elapsed, otherCpuPercent);
    console.error(`wrote ${path.relative(process.cwd(), RESULTS)} (${elapsed.toFixed(0)} s)`);
  }
  if (failures.length > 0) {
    console.error(`failed sections:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
