/**
 * Memory of a real server process (`node dist/main.js`, embedded SQLite store, defaults):
 * resident memory fresh and idle, then with 100 pools' runtimes requested in turn (each
 * pool saved with a script that loads the pg driver, then run once through the debug
 * endpoint). With the default cap of 50 runtimes, the least used lately are stopped as
 * new ones start; the figure is the server's and all its runtime children's memory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, childPids, createPool, expectStatus, pssMb, requestJson, rssMb, saveConnection, sleep, treeMemory } from './support.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POOLS = 100;
const RUNTIME_SCRIPT = `global.pg ??= require('pg');

async function getUser(query, context) {
  return { id: String(query.id), email: 'bench@example.com' };
}
`;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/; answers a note on how it went. */
export function ensureBuild(log: (line: string) => void, rebuild: boolean): string {
  const main = path.join(REPO, 'dist', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(path.join(REPO, 'src'))) return 'dist/ was up to date';
  // --quick keeps under two minutes: an existing dist/ is used even if src/ is newer.
  if (existsSync(main) && !rebuild) return 'dist/ is older than src/ and was used as it is (--quick does not rebuild)';
  log('  building dist/ (npx tsc -p tsconfig.build.json)…');
  const built = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (!existsSync(main)) throw new Error(`build failed: ${built.stdout}${built.stderr}`);
  // tsc emits despite type errors (someone may be mid-edit in src/); say so rather than fail.
  return built.status === 0 ? 'dist/ rebuilt' : `dist/ rebuilt with type errors (exit ${String(built.status)})`;
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

export function startServerProcess(dataDir: string): Promise<RunningServer> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: REPO,
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN,
      GATEHOUSE_SECRET_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server printed no listening line within 20 s:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      const match = /listening at (http:\/\/[^\s"]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stderr?.removeListener('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, url: match[1], exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${output}`));
    });
  });
}

export async function stopServerProcess(server: RunningServer): Promise<void> {
  server.child.kill('SIGTERM');
  const timeout = sleep(10_000).then(() => 'timeout' as const);
  if ((await Promise.race([server.exited, timeout])) === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

export interface MemoryOptions {
  log: (line: string) => void;
  /** build dist/ when it is older than src/ (a missing dist/ is always built) */
  rebuild: boolean;
}

export interface MemoryOutcome {
  figures: Record<string, number>;
  build: string;
}

export async function benchMemory(options: MemoryOptions): Promise<MemoryOutcome> {
  const build = ensureBuild(options.log, options.rebuild);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-memory-'));
  const server = await startServerProcess(dataDir);
  const pid = server.child.pid ?? 0;
  try {
    // Idle: started, one request served (so lazy parts of the first request are in), the warm spare up.
    await expectStatus(requestJson(server.url, 'GET', '/healthz', undefined, null), 200, 'healthz');
    await sleep(3000);
    const idleChildren = childPids(pid);
    const figures: Record<string, number> = {
      server_idle_rss_mb: rssMb(pid),
      server_idle_pss_mb: pssMb(pid),
      server_idle_with_spare_rss_mb: treeMemory(pid).rssMb,
      server_idle_child_processes: idleChildren.length,
    };

    let peakRss = 0;
    const started = performance.now();
    for (let i = 0; i < POOLS; i++) {
      const poolId = await createPool(server.url, `memory ${i}`);
      await saveConnection(server.url, poolId, {
        enabled: true,
        mode: 'CUSTOM_USER_STORE',
        connection: null,
        scripts: { getUser: RUNTIME_SCRIPT },
        timeoutMs: 5000,
      });
      const answer = (await expectStatus(
        requestJson(server.url, 'POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script: 'getUser', args: [{ id: i }] }),
        200,
        'debug call',
      )) as { ok?: boolean };
      if (answer.ok !== true) throw new Error(`pool ${i}'s runtime call failed: ${JSON.stringify(answer).slice(0, 300)}`);
      if (i % 5 === 4) peakRss = Math.max(peakRss, treeMemory(pid).rssMb);
    }
    const seconds = (performance.now() - started) / 1000;
    await sleep(2000); // retired runtimes finish exiting, the spare refills
    const after = treeMemory(pid);
    figures['runtimes_100_pools_rss_mb'] = after.rssMb;
    figures['runtimes_100_pools_pss_mb'] = after.pssMb;
    figures['runtimes_100_pools_peak_rss_mb'] = Math.max(peakRss, after.rssMb);
    figures['runtimes_100_pools_child_processes'] = after.processes - 1;
    options.log(`  100 pools' runtimes requested in ${seconds.toFixed(1)} s; ${after.processes - 1} runtime processes alive at the end (the cap's 50 + the warm spare)`);
    return { figures, build };
  } finally {
    await stopServerProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
