import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CallOutcome, ConnectionSpec } from '../../src/custom-db/contract/script-contract.js';
import { alivePid, expectSameRuntime, getUser, newPool, spec } from './helpers.js';

const CANARY = `canary-${process.pid}-${Date.now()}`;
// Loading every driver takes about a second on a busy machine; denials themselves are quick.
const TIMEOUT_MS = 3000;
const REPO_PACKAGE_JSON = resolve('package.json');

let pool: ReturnType<typeof newPool>;
beforeAll(() => {
  // Set before any runtime is forked: the runtime must still not see it.
  process.env['GATEHOUSE_TEST_CANARY'] = CANARY;
  pool = newPool();
});
afterAll(async () => {
  delete process.env['GATEHOUSE_TEST_CANARY'];
  await pool.close();
});

async function run(body: string, args: unknown[] = [{}, {}]): Promise<{ outcome: CallOutcome; s: ConnectionSpec; pid: number }> {
  const s = spec(getUser(body), { timeoutMs: TIMEOUT_MS });
  const pid = await alivePid(pool, s);
  const outcome = await pool.call(s, 'getUser', args);
  expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
  return { outcome, s, pid };
}

/** A denial fails that call only: the same runtime answers the next one. */
async function expectDenied(body: string, args?: unknown[]): Promise<CallOutcome> {
  const { outcome, s, pid } = await run(body, args);
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, error: { kind: 'denied' } });
  await expectSameRuntime(pool, s, pid);
  return outcome;
}

/** The classic escape from a JavaScript sandbox; here it only reaches the runtime's own process. */
const ESCAPE = "const proc = this.constructor.constructor('return process')();";
const IMPORT = "const load = (m) => this.constructor.constructor('m', 'return import(m)')(m);";

describe('module allowlist', () => {
  test("require('fs') fails with kind denied", async () => {
    const outcome = await expectDenied("require('fs'); return null;");
    expect(outcome.ok === false && outcome.error).toMatchObject({ name: 'ModuleNotAllowedError' });
    expect(outcome.ok === false && outcome.error.message).toContain('require("fs") is not allowed');
  });

  test("require('child_process') and require('node:net') fail with kind denied", async () => {
    await expectDenied("require('child_process'); return null;");
    await expectDenied("require('node:net'); return null;");
  });

  test('allowed modules load, and bcrypt is an alias of bcryptjs', async () => {
    const { outcome } = await run(`
      const same = require('bcrypt') === require('bcryptjs');
      const loaded = ['pg', 'mysql2', 'mysql2/promise', 'mongodb', 'crypto', 'node:crypto', 'url', 'util', 'buffer', 'querystring', 'events']
        .map((m) => typeof require(m));
      const hash = await require('bcrypt').hash('pw', 4);
      return { id: 'x', same, loaded, verified: await require('bcryptjs').compare('pw', hash) };`);
    expect(outcome).toMatchObject({ ok: true, result: { same: true, verified: true } });
    expect(outcome.ok && (outcome.result as { loaded: string[] }).loaded.every((t) => t === 'object' || t === 'function')).toBe(true);
  });
});

describe('escaping the script scope reaches only a locked-down process', () => {
  test('process.binding is refused', async () => {
    await expectDenied(`${ESCAPE} proc.binding('spawn_sync'); return null;`);
  });

  test("import() of Node's modules is refused, also from code made with this.constructor.constructor", async () => {
    const outcome = await expectDenied(`${IMPORT} const cp = await load('node:child_process'); cp.execSync('id'); return null;`);
    expect(outcome.ok === false && outcome.error.name).toBe('ModuleNotAllowedError');
    await expectDenied(`${IMPORT} const fs = await load('node:fs'); return { id: fs.readFileSync('/etc/passwd', 'utf8') };`);
    await expectDenied(`const fs = await import('node:fs'); return null;`);
  });

  test("this.constructor.constructor('return process')() cannot see the server's environment (a canary set in the server is absent)", async () => {
    const { outcome } = await run(`${ESCAPE} return { id: 'x', env: JSON.stringify(proc.env), scriptEnv: JSON.stringify(env) };`);
    expect(outcome.ok).toBe(true);
    const result = outcome.ok ? (outcome.result as { env: string; scriptEnv: string }) : { env: '', scriptEnv: '' };
    expect(process.env['GATEHOUSE_TEST_CANARY']).toBe(CANARY);
    expect(result.env).not.toContain(CANARY);
    expect(result.env).not.toContain('PATH');
    expect(result.scriptEnv).toBe('{}');
  });

  test('the process reached that way cannot load native addons or signal the server or its process group', async () => {
    await expectDenied(`${ESCAPE} proc.dlopen({ exports: {} }, '/usr/lib/x86_64-linux-gnu/libc.so.6'); return null;`);
    await expectDenied(`${ESCAPE} proc.kill(proc.ppid, 'SIGKILL'); return null;`);
    await expectDenied(`${ESCAPE} proc.kill(0, 'SIGTERM'); return null;`);
    await expectDenied(`${ESCAPE} proc._kill(proc.ppid, 9); return null;`);
    expect(readFileSync(REPO_PACKAGE_JSON, 'utf8')).toContain('gatehouse'); // the server is alive and well
  });
});

describe('one global per connection', () => {
  test("two connections cannot see each other's global", async () => {
    const a = spec(getUser('global.secret ??= query.secret; return { id: "a", secret: global.secret };'));
    const b = spec(getUser('return { id: "b", secret: globalThis.secret ?? null };'));
    expect(await pool.call(a, 'getUser', [{ secret: 'only-a' }, {}])).toMatchObject({ ok: true, result: { secret: 'only-a' } });
    expect(await pool.call(b, 'getUser', [{}, {}])).toMatchObject({ ok: true, result: { secret: null } });
    expect(pool.runtimePid(a.key)).not.toBe(pool.runtimePid(b.key));
  });

  test('all scripts of one connection share one global across calls', async () => {
    const s = spec({
      login: 'global.counter = (global.counter ?? 0) + 1;\nasync function login() { global.counter += 1; return { id: global.counter }; }',
      getUser: 'async function getUser() { return { id: globalThis.counter }; }',
    });
    expect(await pool.call(s, 'login', [{}, 'pw', {}])).toMatchObject({ ok: true, result: { id: 2 } });
    expect(await pool.call(s, 'getUser', [{}, {}])).toMatchObject({ ok: true, result: { id: 2 } });
  });
});
