/**
 * Each way a start fails, from a real `gatehouse start` process: the block says what
 * happened and names the variable to fix, no stack trace is printed, and the exit status
 * is the cause's (README, "Operating Gatehouse").
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { EXIT_CODES, startupFailureOf } from '../../src/cli/startup-failures.js';
import { openStore } from '../../src/store/database.js';
import { settingsRepository } from '../../src/store/settings.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { verifySecretKey } from '../../src/secrets/secret-key.js';
import { postgresReachable, uniqueName } from '../support/databases.js';
import { STACK_LINE, closedPort, runGatehouse, killLeftovers } from './gatehouse-process.js';

const directories: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-startup-'));
  directories.push(dir);
  return dir;
}
afterAll(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const newKey = (): string => randomBytes(32).toString('base64');
const hasPostgres = await postgresReachable();

// Several servers start at once on a shared, busy machine: generous time, no timing bounds.
describe.concurrent('a start that fails says the fix, without a stack, with its exit status', { timeout: 90_000 }, () => {
  it('a port in use names the port and PORT (exit 4)', async () => {
    const occupier: Server = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    const address = occupier.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const { code, stderr, stdout } = await runGatehouse(['start'], { PORT: String(port), HOST: '127.0.0.1', GATEHOUSE_DATA_DIR: dataDir() });
      expect(stderr).toContain(`Gatehouse cannot start: port ${String(port)} on 127.0.0.1 is already in use.\n  - PORT: choose a free port (PORT=0 picks one)`);
      expect(stderr + stdout).not.toMatch(STACK_LINE);
      expect(code).toBe(4);
      // The log is JSON (stdout is a pipe): the failure is one fatal line too, for log shipping.
      const fatal = stdout.split('\n').filter((line) => line.includes('"level":60')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(fatal).toEqual([expect.objectContaining({ cause: 'port-unavailable', exitCode: 4 })]);
    } finally {
      occupier.close();
    }
  });

  it('a store on a closed port is retried for GATEHOUSE_STORE_WAIT_SECONDS, each wait logged, then fails (exit 7)', async () => {
    const port = await closedPort();
    const { code, stderr, stdout } = await runGatehouse(['start'], {
      PORT: '0',
      GATEHOUSE_DATA_DIR: dataDir(),
      DATABASE_URL: `postgres://gatehouse:the-store-password@127.0.0.1:${String(port)}/gatehouse`,
      GATEHOUSE_STORE_WAIT_SECONDS: '2',
    });
    expect(stderr).toContain(`Gatehouse cannot start: PostgreSQL at 127.0.0.1:${String(port)}/gatehouse did not answer within 2 s (connect ECONNREFUSED 127.0.0.1:${String(port)}).`);
    expect(stderr).toContain('  - DATABASE_URL: check its host and port');
    expect(stderr).toContain('  - GATEHOUSE_STORE_WAIT_SECONDS: raise it (now 2)');
    const waits = stdout.split('\n').filter((line) => line.includes('is not reachable (connect ECONNREFUSED'));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits[0]).toContain('trying again in 0.5 s');
    expect(stderr + stdout).not.toContain('the-store-password');
    expect(stderr + stdout).not.toMatch(STACK_LINE);
    expect(code).toBe(7);
  });

  it('a data directory that cannot be created names GATEHOUSE_DATA_DIR (exit 6)', async () => {
    // Tests run as root, for whom a mode does not stop writes: a path under a regular file
    // cannot be a directory for anyone (ENOTDIR).
    const file = path.join(dataDir(), 'a-file');
    writeFileSync(file, '');
    const target = path.join(file, 'data');
    const { code, stderr, stdout } = await runGatehouse(['start'], { PORT: '0', GATEHOUSE_DATA_DIR: target });
    expect(stderr).toContain(`Gatehouse cannot start: it cannot write its data directory ${target} (ENOTDIR: not a directory`);
    expect(stderr).toContain('  - GATEHOUSE_DATA_DIR: point it at a directory this user can create and write');
    expect(stderr + stdout).not.toMatch(STACK_LINE);
    expect(code).toBe(6);
  });

  it('LOG_LEVEL=debug adds the stack trace that is otherwise left out', async () => {
    const file = path.join(dataDir(), 'a-file');
    writeFileSync(file, '');
    const { code, stderr } = await runGatehouse(['start'], { PORT: '0', GATEHOUSE_DATA_DIR: path.join(file, 'data'), LOG_LEVEL: 'debug' });
    expect(stderr).toContain('cannot write its data directory');
    expect(stderr).toMatch(STACK_LINE);
    expect(code).toBe(6);
  });

  it.skipIf(!hasPostgres)('a store that refuses the credentials names DATABASE_URL, never its password (exit 8; needs PostgreSQL)', async () => {
    // The local PostgreSQL trusts every local connection (pg_hba.conf: trust), so a wrong
    // password is accepted; a role that does not exist is refused the same way (class 28).
    const role = uniqueName('gh_no_such_role');
    const { code, stderr, stdout } = await runGatehouse(['start'], {
      PORT: '0',
      GATEHOUSE_DATA_DIR: dataDir(),
      DATABASE_URL: `postgres://${role}:not-the-password@127.0.0.1:5432/postgres`,
      GATEHOUSE_STORE_WAIT_SECONDS: '0',
    });
    expect(stderr).toContain(`Gatehouse cannot start: PostgreSQL at 127.0.0.1:5432/postgres refused the credentials in DATABASE_URL (role "${role}" does not exist).`);
    expect(stderr).toContain('  - DATABASE_URL: correct the user name and password');
    expect(stderr + stdout).not.toContain('not-the-password');
    expect(stderr + stdout).not.toMatch(STACK_LINE);
    expect(code).toBe(8);
  });

  it('a store migrated by a newer build is refused, naming the unknown migration (exit 9)', async () => {
    const dir = dataDir();
    const store = await openStore({ databaseUrl: undefined, dataDir: dir });
    await sql`insert into kysely_migration (name, timestamp) values (${'29991231T2359-from-a-newer-build'}, ${new Date().toISOString()})`.execute(store.db);
    await store.close();
    const { code, stderr, stdout } = await runGatehouse(['start'], { PORT: '0', GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SECRET_KEY: newKey() });
    expect(stderr).toContain('Gatehouse cannot start: the embedded SQLite store was migrated by a newer Gatehouse (29991231T2359-from-a-newer-build)');
    expect(stderr).toContain('  - Run the newer Gatehouse build that migrated this store');
    expect(stderr + stdout).not.toMatch(STACK_LINE);
    expect(code).toBe(9);
  });

  it('a secret key that cannot open the store names GATEHOUSE_SECRET_KEY (exit 10)', async () => {
    const dir = dataDir();
    const store = await openStore({ databaseUrl: undefined, dataDir: dir });
    await verifySecretKey(settingsRepository(store.db), createSecretBox(randomBytes(32)));
    await store.close();
    const { code, stderr, stdout } = await runGatehouse(['start'], { PORT: '0', GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SECRET_KEY: newKey() });
    expect(stderr).toContain('Gatehouse cannot start: the secret key cannot open what this store sealed with its first key.');
    expect(stderr).toContain('  - GATEHOUSE_SECRET_KEY: set it to the key this store was first started with');
    expect(stderr + stdout).not.toMatch(STACK_LINE);
    expect(code).toBe(10);
  });
});

describe('the mapping of errors that a test may not provoke', () => {
  const loaded = loadConfig({ HOST: '192.0.2.1', PORT: '8080' });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const { config } = loaded;

  // Binding to an address this machine does not have is never attempted in tests (only
  // loopback is used), so the listen error is built as Node reports it.
  it('an address not available names HOST (exit 5)', () => {
    const error = Object.assign(new Error('listen EADDRNOTAVAIL: address not available 192.0.2.1:8080'), { code: 'EADDRNOTAVAIL', syscall: 'listen', address: '192.0.2.1', port: 8080 });
    const failure = startupFailureOf(error, config, 'listening');
    expect(failure).toMatchObject({ cause: 'address-unavailable', exitCode: 5, title: 'Gatehouse cannot start: 192.0.2.1 is not an address of this machine, so nothing can listen on it.' });
    expect(failure.fixes[0]).toMatch(/^HOST: /);
  });

  it('a privileged port names PORT (exit 4)', () => {
    const error = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES', syscall: 'listen' });
    expect(startupFailureOf(error, config, 'listening')).toMatchObject({ cause: 'port-unavailable', exitCode: 4 });
  });

  it('gives every cause its own exit status', () => {
    const statuses = Object.values(EXIT_CODES);
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(statuses).not.toContain(0);
  });
});

afterAll(killLeftovers);
