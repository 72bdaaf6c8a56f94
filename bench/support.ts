/**
 * What every benchmark needs: statistics, resident memory from /proc, throwaway PostgreSQL
 * databases, in-process Gatehouse servers built through the composition root, and a small
 * HTTP client for the admin API. Nothing here talks to anything but 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { createServer, type Server } from '../src/server.js';
import type { ScriptRuntimePoolOptions } from '../src/script-runtime/index.js';

export const POSTGRES_ADMIN_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

// ---------------------------------------------------------------- statistics

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Rounded for printing: four decimals below 1, two below 100, one above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const digits = Math.abs(value) < 1 ? 4 : Math.abs(value) < 100 ? 2 : 1;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- memory from /proc

export { childPids, pssMb, rssMb, treeMemory, type TreeMemory } from './proc-usage.js';

// ---------------------------------------------------------------- CPU time by process

const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessCpu {
  pid: number;
  ppid: number;
  comm: string;
  /** user + system CPU time so far, in ms */
  cpuMs: number;
}

/** Every process's CPU time so far (postgres backends included: /proc/<pid>/stat is world-readable). */
export function cpuSnapshot(): Map<number, ProcessCpu> {
  const snapshot = new Map<number, ProcessCpu>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // after the comm: state(0) ppid(1) … utime(11) stime(12)
      const ticks = Number(fields[11]) + Number(fields[12]);
      snapshot.set(Number(entry), { pid: Number(entry), ppid: Number(fields[1]), comm, cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND });
    } catch {
      // exited while scanning
    }
  }
  return snapshot;
}

/**
 * CPU time all cores spent busy so far (user, nice, system, irq, softirq, steal from
 * /proc/stat), in ms: unlike a snapshot of processes, this includes processes that exited
 * between two readings (stopped runtimes, closed PostgreSQL backends).
 */
export function machineBusyCpuMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** True for processes below this one: a sandboxed runtime is a grandchild (its wrapper forks it). */
function descendsFromThis(process_: ProcessCpu, snapshot: Map<number, ProcessCpu>): boolean {
  for (let current: ProcessCpu | undefined = process_, hops = 0; current !== undefined && hops < 5; current = snapshot.get(current.ppid), hops++) {
    if (current.ppid === process.pid) return true;
  }
  return false;
}

/**
 * CPU time spent between two snapshots, by role: this process (where the servers run),
 * its child processes (script runtimes), PostgreSQL, and everything else.
 */
export function cpuByRole(before: Map<number, ProcessCpu>, after: Map<number, ProcessCpu>, excluded: ReadonlySet<number> = new Set()): Record<string, number> {
  const roles: Record<string, number> = { server: 0, runtimes: 0, postgres: 0, other: 0 };
  for (const [pid, now] of after) {
    if (excluded.has(pid)) continue;
    const spent = now.cpuMs - (before.get(pid)?.cpuMs ?? 0);
    if (spent <= 0) continue;
    const role = pid === process.pid ? 'server' : descendsFromThis(now, after) ? 'runtimes' : now.comm === 'postgres' ? 'postgres' : 'other';
    roles[role] = (roles[role] ?? 0) + spent;
  }
  return roles;
}

// ---------------------------------------------------------------- throwaway PostgreSQL databases

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const created = new Set<BenchDatabase>();

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function createDatabase(purpose: string): Promise<BenchDatabase> {
  const name = `gh_bench_${purpose}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database: BenchDatabase = {
    name,
    url: url.toString(),
    async drop() {
      created.delete(database);
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
  created.add(database);
  return database;
}

/** Drops whatever a failed or interrupted run left; called from run.ts's cleanup. */
export async function dropAllDatabases(): Promise<void> {
  for (const database of [...created]) {
    try {
      await database.drop();
    } catch (error) {
      console.error(`could not drop ${database.name}: ${String(error)}`);
    }
  }
}

// ---------------------------------------------------------------- in-process Gatehouse

export interface BenchServer {
  server: Server;
  url: string;
  dataDir: string;
  store: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

const servers = new Set<BenchServer>();

/**
 * A Gatehouse built through the same composition root as `npm start`, listening on
 * 127.0.0.1 on a free port. The own store is the embedded SQLite (the default) unless a
 * PostgreSQL URL is given.
 */
export async function startGatehouse(options: { databaseUrl?: string; runtimes?: ScriptRuntimePoolOptions } = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-'));
  const loaded = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN,
    GATEHOUSE_SECRET_KEY: randomBytes(32).toString('base64'),
    ...(options.databaseUrl === undefined ? {} : { DATABASE_URL: options.databaseUrl }),
  });
  if (!loaded.ok) throw new Error(`bench config rejected: ${loaded.problems.join('; ')}`);
  const server = await createServer(loaded.config, { logger: false, ...(options.runtimes ? { runtimes: options.runtimes } : {}) });
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const bench: BenchServer = {
    server,
    url: address,
    dataDir,
    store: options.databaseUrl === undefined ? 'sqlite' : 'postgres',
    async close() {
      servers.delete(bench);
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  servers.add(bench);
  return bench;
}

export async function closeAllServers(): Promise<void> {
  for (const server of [...servers]) {
    try {
      await server.close();
    } catch (error) {
      console.error(`could not close a bench server: ${String(error)}`);
    }
  }
}

// ---------------------------------------------------------------- HTTP

export interface JsonResponse {
  status: number;
  body: unknown;
}

export async function requestJson(
  base: string,
  method: string,
  urlPath: string,
  body?: unknown,
  token: string | null = ADMIN_TOKEN,
): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${urlPath}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON; keep the text for the error message
  }
  return { status: response.status, body: parsed };
}

export async function expectStatus(response: Promise<JsonResponse>, status: number, what: string): Promise<unknown> {
  const answered = await response;
  if (answered.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${answered.status} ${JSON.stringify(answered.body).slice(0, 500)}`);
  }
  return answered.body;
}

export async function createPool(base: string, name: string): Promise<string> {
  const body = (await expectStatus(requestJson(base, 'POST', '/api/v1/pools', { name }), 201, 'create pool')) as { id: string };
  return body.id;
}

export async function saveConnection(base: string, poolId: string, config: Record<string, unknown>): Promise<void> {
  await expectStatus(requestJson(base, 'PUT', `/api/v1/pools/${poolId}/custom-db`, config), 200, 'save custom-db connection');
}
