/**
 * Runtimes started from the V8 startup snapshot (startup-snapshot.ts): they answer calls and
 * run pg, the permission model holds in them, nothing random or per-process is shared between
 * two of them, the blob lives where only the server's user can write, and every way the
 * snapshot can be missing (off, failed build, a blob node refuses, another heap size) starts
 * runtimes the normal way.
 */
import { chmod, chown, lstat, mkdir, mkdtemp, open, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { processTree } from '../../src/script-runtime/runtime-process.js';
import { markSnapshotUsed } from '../../src/script-runtime/startup-snapshot.js';
import { ScriptRuntimePool, type RuntimeSpec, type StartupSnapshotStatus } from '../../src/script-runtime/index.js';
import { SUITE_SNAPSHOT } from './helpers.js';

const level = process.env['GATEHOUSE_TEST_SANDBOX'];
const sandbox = level === 'none' || level === 'unshare' || level === 'bwrap' ? level : 'auto';
const snapshotOff = process.env['GATEHOUSE_RUNTIME_SNAPSHOT'] === '0';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let counter = 0;
function runtimeSpec(sources: Record<string, string>, extra: Partial<RuntimeSpec> = {}): RuntimeSpec {
  counter += 1;
  return { key: `snapshot-${process.pid}-${counter}`, sources, env: {}, limits: { timeoutMs: 5000 }, ...extra };
}

/** The node command lines of a runtime's process tree (the sandbox launcher's is not node's). */
function nodeCommandLines(pool: ScriptRuntimePool, key: string): string[][] {
  const pid = pool.runtimePid(key);
  if (pid === undefined) return [];
  const lines: string[][] = [];
  for (const member of processTree(pid)) {
    try {
      const argv = readFileSync(`/proc/${member}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
      if (argv[0] === process.execPath) lines.push(argv);
    } catch {
      // Gone.
    }
  }
  return lines;
}

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-snapshot-test-'));
  // Traversable by the runtimes' user (65534 when the tests run as root), as /tmp is.
  await chmod(dir, 0o711);
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.skipIf(snapshotOff)('runtimes started from the startup snapshot', () => {
  const pool = new ScriptRuntimePool({ sandbox, warmSpare: true });
  beforeAll(async () => {
    expect(SUITE_SNAPSHOT).toMatchObject({ state: 'ready' });
    await pool.warmUp();
  });
  afterAll(() => pool.close());

  test('a spare started from the snapshot answers calls; node was started with --snapshot-blob, not the entry file', async () => {
    expect(pool.startupSnapshot()).toMatchObject({ state: 'ready', memoryMb: 128 });
    expect(pool.stats()).toMatchObject({ spares: 1, sparesFromSnapshot: 1 });
    const s = runtimeSpec({ hello: 'async function hello(name) { console.log("hi", name); return { hello: name, pg: typeof require("pg").Client }; }' });
    const outcome = await pool.call(s, 'hello', ['snapshot']);
    expect(outcome).toMatchObject({ ok: true, result: { hello: 'snapshot', pg: 'function' }, logs: [{ level: 'log', message: 'hi snapshot' }] });
    expect(pool.runtimeStartMode(s.key)).toBe('snapshot');
    const [argv] = nodeCommandLines(pool, s.key);
    expect(argv).toContain('--snapshot-blob');
    expect(argv).toContain('--experimental-permission');
    expect(argv?.some((arg) => arg.endsWith('host.mjs'))).toBe(false);
  });

  test('pg from the snapshot queries the local PostgreSQL; the other drivers load from node_modules', async () => {
    const s = runtimeSpec(
      {
        query: `async function query() {
          const { Client } = require('pg');
          const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
          await client.connect();
          try {
            const { rows } = await client.query('SELECT 41 + 1 AS answer');
            return { answer: rows[0].answer, mysql2: typeof require('mysql2').createConnection, bcrypt: require('bcryptjs').compareSync('a', require('bcryptjs').hashSync('a', 4)) };
          } finally {
            await client.end();
          }
        }`,
      },
      { egress: { allow: [{ host: '127.0.0.1', port: 5432 }], anyPublicAddress: false, deny: [] } },
    );
    const outcome = await pool.call(s, 'query', []);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true, result: { answer: 42, mysql2: 'function', bcrypt: true } });
    expect(pool.runtimeStartMode(s.key)).toBe('snapshot');
  });

  test('the permission model holds: /etc/passwd and child processes are refused', async () => {
    const s = runtimeSpec({
      probe: `async function probe() {
        const attempt = (fn) => { try { fn(); return 'allowed'; } catch (e) { return e.code ?? e.message; } };
        return {
          passwd: attempt(() => process.getBuiltinModule('fs').readFileSync('/etc/passwd', 'utf8')),
          spawn: attempt(() => process.getBuiltinModule('child_process').execSync('id')),
          mayRead: process.permission.has('fs.read', '/etc/passwd'),
        };
      }`,
    });
    const outcome = await pool.call(s, 'probe', []);
    expect(outcome).toMatchObject({ ok: true, result: { passwd: 'ERR_ACCESS_DENIED', spawn: 'ERR_ACCESS_DENIED', mayRead: false } });
    expect(pool.runtimeStartMode(s.key)).toBe('snapshot');
  });

  test('two runtimes from the same blob draw different random numbers and see their own env and argv', async () => {
    const source = `async function sample() {
      const crypto = require('crypto');
      return {
        uuids: [crypto.randomUUID(), crypto.randomUUID()],
        ints: [crypto.randomInt(2 ** 47), crypto.randomInt(2 ** 47)],
        bytes: crypto.randomBytes(16).toString('hex'),
        values: Array.from(crypto.getRandomValues(new Uint32Array(4))),
        webUuid: globalThis.crypto.randomUUID(),
        math: [Math.random(), Math.random()],
        env: { ...process.env },
        argv: process.argv,
        execArgv: process.execArgv,
        pid: process.pid,
      };
    }`;
    const a = runtimeSpec({ sample: source });
    const b = runtimeSpec({ sample: source });
    const [first, second] = await Promise.all([pool.call(a, 'sample', []), pool.call(b, 'sample', [])]);
    expect(pool.runtimeStartMode(a.key)).toBe('snapshot');
    expect(pool.runtimeStartMode(b.key)).toBe('snapshot');
    if (!first.ok || !second.ok) throw new Error(JSON.stringify([first, second]));
    const x = first.result as Record<string, unknown>;
    const y = second.result as Record<string, unknown>;
    for (const field of ['uuids', 'ints', 'bytes', 'values', 'webUuid', 'math']) {
      expect(x[field], field).not.toEqual(y[field]);
    }
    // The build ran with an empty environment and `--build-snapshot <bundle>`: what a runtime
    // sees is its own start's (NODE_ENV from childEnv, the egress socket already removed).
    for (const seen of [x, y]) {
      expect(seen['env']).toMatchObject({ NODE_ENV: 'production' });
      expect(Object.keys(seen['env'] as object)).not.toContain('GATEHOUSE_EGRESS_SOCKET');
      expect(seen['argv']).toEqual([process.execPath]);
      expect(seen['execArgv']).toContain('--experimental-permission');
      expect(seen['execArgv']).not.toContain('--build-snapshot');
    }
  });

  test('a runtime with another heap size starts the normal way; the default one from the snapshot', async () => {
    const source = { heap: 'async function heap() { return process.execArgv.find((a) => a.startsWith("--max-old-space-size")); }' };
    const other = runtimeSpec(source, { limits: { timeoutMs: 5000, memoryMb: 64 } });
    const usual = runtimeSpec(source);
    expect(await pool.call(other, 'heap', [])).toMatchObject({ ok: true, result: '--max-old-space-size=64' });
    expect(await pool.call(usual, 'heap', [])).toMatchObject({ ok: true, result: '--max-old-space-size=128' });
    expect(pool.runtimeStartMode(other.key)).toBe('normal');
    expect(pool.runtimeStartMode(usual.key)).toBe('snapshot');
    expect(nodeCommandLines(pool, other.key)[0]?.some((arg) => arg.endsWith('host.mjs'))).toBe(true);
  });

  test('the heap cap baked into the blob holds: a memory hog fails with kind oom', async () => {
    const s = runtimeSpec({ hog: 'async function hog() { const hoard = []; while (true) hoard.push(new Array(1e5).fill(Math.random())); }' }, { limits: { timeoutMs: 15_000 } });
    const outcome = await pool.call(s, 'hog', []);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, error: { kind: 'oom', message: expect.stringContaining('limit 128 MB') } });
    expect(pool.runtimeStartMode(s.key)).toBe('snapshot');
  });

  test('the blob is a read-only file of the server user in a folder only it can write (0711)', async () => {
    const status = pool.startupSnapshot();
    if (status.state !== 'ready') throw new Error(`snapshot not ready: ${JSON.stringify(status)}`);
    const file = await lstat(status.blob);
    const folder = await lstat(join(status.blob, '..'));
    expect(file.isFile()).toBe(true);
    expect(file.mode & 0o777).toBe(0o444);
    expect(folder.isDirectory()).toBe(true);
    expect(folder.mode & 0o777).toBe(0o711);
    expect(folder.uid).toBe(process.getuid?.());
    expect(file.uid).toBe(process.getuid?.());
    expect(status.blob).toMatch(/\/runtime-[0-9a-f]{40}\.blob$/);
  });

  test("pg's frames in a snapshot runtime's stack traces name the bundle kept beside the blob", async () => {
    const status = pool.startupSnapshot();
    if (status.state !== 'ready') throw new Error(`snapshot not ready: ${JSON.stringify(status)}`);
    const s = runtimeSpec({
      probe: 'async function probe() { try { require("pg").Client.prototype.query.call(null, "select 1"); } catch (error) { return error.stack; } return ""; }',
    });
    const outcome = await pool.call(s, 'probe', []);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
    const bundle = status.blob.replace(/\.blob$/, '.cjs');
    expect(String(outcome.result)).toContain(bundle);
    const file = await lstat(bundle);
    expect(file.isFile()).toBe(true);
    expect(file.mode & 0o777).toBe(0o444);
  });
});

/** A pool with `startupSnapshot` options, its status once settled, and one call's start mode. */
async function settle(options: ConstructorParameters<typeof ScriptRuntimePool>[0]): Promise<{ pool: ScriptRuntimePool; status: StartupSnapshotStatus }> {
  const pool = new ScriptRuntimePool({ sandbox, warmSpare: false, ...options });
  return { pool, status: await pool.startupSnapshotSettled() };
}

async function answersNormally(pool: ScriptRuntimePool): Promise<void> {
  const s = runtimeSpec({ ping: 'async function ping() { return "pong"; }' });
  expect(await pool.call(s, 'ping', [])).toMatchObject({ ok: true, result: 'pong' });
  expect(pool.runtimeStartMode(s.key)).toBe('normal');
}

describe('without the snapshot, runtimes start the normal way', () => {
  test('turned off by the option or by GATEHOUSE_RUNTIME_SNAPSHOT=0', async () => {
    const byOption = await settle({ startupSnapshot: false });
    expect(byOption.status).toMatchObject({ state: 'off' });
    await answersNormally(byOption.pool);
    await byOption.pool.close();

    const saved = process.env['GATEHOUSE_RUNTIME_SNAPSHOT'];
    process.env['GATEHOUSE_RUNTIME_SNAPSHOT'] = '0';
    try {
      const byEnv = await settle({ warmSpare: true });
      expect(byEnv.status).toMatchObject({ state: 'off' });
      await byEnv.pool.warmUp();
      expect(byEnv.pool.stats()).toMatchObject({ spares: 1, sparesFromSnapshot: 0 });
      await byEnv.pool.close();
    } finally {
      if (saved === undefined) delete process.env['GATEHOUSE_RUNTIME_SNAPSHOT'];
      else process.env['GATEHOUSE_RUNTIME_SNAPSHOT'] = saved;
    }
  });

  test('a build that fails is reported as a value, and calls still answer', async () => {
    const entry = join(await tempDir(), 'broken-entry.cjs');
    await writeFile(entry, "throw new Error('this snapshot entry is broken on purpose');\n");
    const { pool, status } = await settle({ startupSnapshot: { dir: join(await tempDir(), 'blobs'), entry } });
    expect(status).toMatchObject({ state: 'failed', memoryMb: 128 });
    expect(status.state === 'failed' ? status.reason : '').toMatch(/building the snapshot failed .*broken on purpose/);
    await answersNormally(pool);
    await pool.close();
  });

  test.skipIf(snapshotOff)('a blob replaced under the server: the call is answered by a normal start, and the snapshot is marked failed at once', async () => {
    const { pool, status } = await settle({ startupSnapshot: { dir: join(await tempDir(), 'blobs') } });
    if (status.state !== 'ready') throw new Error(`expected a fresh blob, got ${JSON.stringify(status)}`);
    await chmod(status.blob, 0o644);
    await writeFile(status.blob, 'not a V8 snapshot');
    await chmod(status.blob, 0o444);
    const s = runtimeSpec({ ping: 'async function ping() { return "pong"; }' });
    expect(await pool.call(s, 'ping', [])).toMatchObject({ ok: true, result: 'pong' });
    expect(pool.runtimeStartMode(s.key)).toBe('normal');
    expect(pool.startupSnapshot()).toMatchObject({ state: 'failed', memoryMb: 128, reason: expect.stringMatching(/its file was removed or replaced, and a runtime started from it failed/) });
    await answersNormally(pool);
    await pool.close();
  });

  test.skipIf(snapshotOff)('one failed start from an unchanged blob turns nothing off; three in a row do', async () => {
    const { pool, status } = await settle({ startupSnapshot: { dir: join(await tempDir(), 'blobs') } });
    if (status.state !== 'ready') throw new Error(`expected a fresh blob, got ${JSON.stringify(status)}`);
    // The same file (inode and size), its bytes spoiled: node refuses it, the identity check cannot tell.
    await chmod(status.blob, 0o644);
    const file = await open(status.blob, 'r+');
    await file.write(Buffer.alloc(4096, 0), 0, 4096, 0);
    await file.close();
    await chmod(status.blob, 0o444);
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(pool.startupSnapshot().state).toBe('ready');
      const s = runtimeSpec({ ping: 'async function ping() { return "pong"; }' });
      expect(await pool.call(s, 'ping', [])).toMatchObject({ ok: true, result: 'pong' });
      expect(pool.runtimeStartMode(s.key)).toBe('normal');
    }
    expect(pool.startupSnapshot()).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^3 runtimes started from it in a row failed/) });
    await pool.close();
  });

  test('a folder others can write, or of another user, is refused', async () => {
    const open = join(await tempDir(), 'blobs');
    await mkdir(open);
    await chmod(open, 0o777);
    const worldWritable = await settle({ startupSnapshot: { dir: open } });
    expect(worldWritable.status).toMatchObject({ state: 'failed', reason: expect.stringMatching(/writable by others/) });
    await answersNormally(worldWritable.pool);
    await worldWritable.pool.close();

    if (isRoot) {
      const squatted = join(await tempDir(), 'blobs');
      await mkdir(squatted, { mode: 0o755 });
      await chown(squatted, 65534, 65534);
      const foreign = await settle({ startupSnapshot: { dir: squatted } });
      expect(foreign.status).toMatchObject({ state: 'failed', reason: expect.stringMatching(/belongs to uid 65534/) });
      await foreign.pool.close();
    }
  });
});

describe.skipIf(snapshotOff)('the blob folder is swept after a build', () => {
  test('leftovers of dead builds go, and at most 8 blobs stay, the new one among them', async () => {
    const dir = join(await tempDir(), 'blobs');
    await mkdir(dir, { mode: 0o711 });
    const hourAgo = new Date(Date.now() - 3600_000);
    for (let i = 0; i < 10; i++) {
      const old = join(dir, `runtime-${String(i).padStart(40, '0')}.blob`);
      await writeFile(old, 'an older build', { mode: 0o444 });
      await utimes(old, hourAgo, new Date(hourAgo.getTime() + i * 1000));
    }
    await writeFile(join(dir, '.build-dead.cjs'), 'left by a build that died');
    await utimes(join(dir, '.build-dead.cjs'), hourAgo, hourAgo);
    const { pool, status } = await settle({ startupSnapshot: { dir } });
    await pool.close();
    if (status.state !== 'ready') throw new Error(JSON.stringify(status));
    const names = await readdir(dir);
    expect(names).not.toContain('.build-dead.cjs');
    expect(names.filter((name) => name.endsWith('.blob'))).toHaveLength(8);
    expect(names).toContain(status.blob.split('/').at(-1));
    // The new blob's bundle stays beside it; the older blobs had none.
    expect(names.filter((name) => name.endsWith('.cjs'))).toEqual([status.blob.split('/').at(-1)?.replace(/\.blob$/, '.cjs')]);
    // The most recently used of the older ones stay.
    expect(names).toContain(`runtime-${'9'.padStart(40, '0')}.blob`);
    expect(names).not.toContain(`runtime-${'0'.padStart(40, '0')}.blob`);
  });
});

describe.skipIf(snapshotOff)('the build sees nothing of the server', () => {
  test("the server's environment is not in the blob: pg's default user (read from USER when pg loads) is the runtime's, not the build's", async () => {
    const canary = `gh-canary-user-${process.pid}`;
    const saved = process.env['USER'];
    process.env['USER'] = canary;
    let built: Awaited<ReturnType<typeof settle>>;
    try {
      built = await settle({ startupSnapshot: { dir: join(await tempDir(), 'blobs') } });
    } finally {
      if (saved === undefined) delete process.env['USER'];
      else process.env['USER'] = saved;
    }
    const { pool, status } = built;
    if (status.state !== 'ready') throw new Error(JSON.stringify(status));
    expect((await readFile(status.blob)).includes(canary)).toBe(false);
    const s = runtimeSpec({ user: 'async function user() { return { user: require("pg").defaults.user ?? null, env: process.env.USER ?? null }; }' });
    expect(await pool.call(s, 'user', [])).toMatchObject({ ok: true, result: { user: null, env: null } });
    expect(pool.runtimeStartMode(s.key)).toBe('snapshot');
    await pool.close();
  });
});

describe('a blob in use', () => {
  test('is marked used at most once a day, with its bundle, so another build does not sweep it away', async () => {
    const dir = await tempDir();
    const blob = join(dir, `runtime-${'a'.repeat(40)}.blob`);
    const bundle = blob.replace(/\.blob$/, '.cjs');
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600_000);
    for (const file of [blob, bundle]) {
      await writeFile(file, 'x', { mode: 0o444 });
      await utimes(file, weekAgo, weekAgo);
    }
    markSnapshotUsed(blob);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const file of [blob, bundle]) expect(Date.now() - (await lstat(file)).mtimeMs).toBeLessThan(60_000);
    // Again the same day: nothing is written.
    await utimes(blob, weekAgo, weekAgo);
    markSnapshotUsed(blob);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Math.abs((await lstat(blob)).mtimeMs - weekAgo.getTime())).toBeLessThan(1);
  });
});
