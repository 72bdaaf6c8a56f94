/**
 * Behind docker compose or Kubernetes the database often starts after the server: a store
 * that starts answering 5 s after `gatehouse start` is waited for, each wait logged, and
 * the server then starts normally. The "database" is a TCP proxy on loopback to the real
 * PostgreSQL that starts listening only after 5 s.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { closedPort, startGatehouse, waitForOutput, type Running, killLeftovers } from './gatehouse-process.js';

const hasPostgres = await postgresReachable();
const STORE_DELAY_MS = 5000;

let database: TestDatabase | undefined;
let proxy: Server | undefined;
const sockets = new Set<Socket>();
let running: Running | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-late-store-'));

beforeAll(async () => {
  if (hasPostgres) database = await createPostgresDatabase('gh_cli_late');
});

afterAll(async () => {
  running?.child.kill('SIGKILL');
  for (const socket of sockets) socket.destroy();
  proxy?.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** After `delayMs`, listens on `port` and forwards every connection to the real PostgreSQL. */
function proxyToPostgresAfter(port: number, delayMs: number): void {
  setTimeout(() => {
    proxy = createServer((client) => {
      const upstream = connect(5432, '127.0.0.1');
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    proxy.listen(port, '127.0.0.1');
  }, delayMs);
}

it.skipIf(!hasPostgres)('waits for a store that comes up 5 s after the start, logging each wait, then serves (needs PostgreSQL)', async () => {
  if (database === undefined) throw new Error('no test database');
  const name = database.name;
  const port = await closedPort();
  const url = new URL(database.url);
  url.host = `127.0.0.1:${String(port)}`;
  proxyToPostgresAfter(port, STORE_DELAY_MS);
  const started = Date.now();
  running = startGatehouse(['start'], { PORT: '0', GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: url.toString(), GATEHOUSE_STORE_WAIT_SECONDS: '60' });

  const [, listening] = await waitForOutput(running, /listening at (http:\/\/[^\s"]+)/);
  expect(Date.now() - started).toBeGreaterThanOrEqual(STORE_DELAY_MS);
  const waits = running.output().split('\n').filter((line) => line.includes(`PostgreSQL at 127.0.0.1:${String(port)}/${name} is not reachable (connect ECONNREFUSED`));
  expect(waits.length).toBeGreaterThanOrEqual(2);
  expect(running.output()).toMatch(/answered after \d+(\.\d)? s/);
  const health = await fetch(`${String(listening)}/api/v1/pools`);
  expect(health.status).toBe(401);

  running.child.kill('SIGTERM');
  expect((await running.exited).code).toBe(0);
}, 90_000);

afterAll(killLeftovers);
