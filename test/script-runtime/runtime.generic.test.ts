/**
 * The runtime as a generic runner: entries of any name, loaded in the order given, a globals
 * prelude, labels in messages. No user-script contract is involved here.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ScriptRuntimePool, type RuntimeSpec } from '../../src/script-runtime/index.js';

const pool = new ScriptRuntimePool({ warmSpare: false });
// Runtimes start from the startup snapshot once it is built, as the server's do.
beforeAll(() => pool.startupSnapshotSettled());
afterAll(() => pool.close());

let counter = 0;
function runtimeSpec(extra: Partial<RuntimeSpec> & Pick<RuntimeSpec, 'sources'>): RuntimeSpec {
  counter += 1;
  return { key: `generic-${process.pid}-${counter}`, env: {}, limits: { timeoutMs: 2000 }, ...extra };
}

describe('generic runner', () => {
  test('loads entries of any name in the order given, after the globals prelude', async () => {
    const s = runtimeSpec({
      globalsSource: 'globalThis.order = ["prelude"]; class Shared extends Error {} globalThis.Shared = Shared;',
      sources: {
        zeta: 'order.push("zeta"); function zeta() { return order; }',
        alpha: 'order.push("alpha"); function alpha() { return new Shared("x") instanceof Error; }',
      },
    });
    expect(await pool.call(s, 'zeta', [])).toMatchObject({ ok: true, result: ['prelude', 'zeta', 'alpha'] });
    expect(await pool.call(s, 'alpha', [])).toMatchObject({ ok: true, result: true });
  });

  test('a thrown error keeps its name (how a contract recognises its typed errors)', async () => {
    const s = runtimeSpec({
      globalsSource: 'globalThis.NopeError = class NopeError extends Error { constructor(m) { super(m); this.name = "NopeError"; } };',
      sources: { check: 'async function check() { throw new NopeError("no"); }' },
    });
    expect(await pool.call(s, 'check', [])).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'NopeError', message: 'no' } });
  });

  test('a broken prelude fails every entry with its own error', async () => {
    const s = runtimeSpec({ globalsSource: 'throw new RangeError("bad prelude");', sources: { a: 'function a() { return 1; }' } });
    expect(await pool.call(s, 'a', [])).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'RangeError', message: 'bad prelude' } });
  });

  test('an entry not in the spec fails without starting a process; results are not checked', async () => {
    const s = runtimeSpec({ sources: { a: 'function a() { return undefined; }' } });
    expect(await pool.call(s, 'b', [])).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'Unknown entry "b"' } });
    expect(pool.runtimePid(s.key)).toBeUndefined();
    expect(await pool.call(s, 'a', [])).toMatchObject({ ok: true, result: undefined });
  });

  test('the timeout message names the entry by its label, or by its name without one', async () => {
    const labelled = runtimeSpec({ sources: { hang: 'async function hang() { await new Promise(() => {}); }' }, labels: { hang: 'The Hanging job' }, limits: { timeoutMs: 150 } });
    expect(await pool.call(labelled, 'hang', [])).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'The Hanging job did not finish within 150 ms' } });
    const plain = runtimeSpec({ sources: { hang: 'async function hang() { await new Promise(() => {}); }' }, limits: { timeoutMs: 150 } });
    expect(await pool.call(plain, 'hang', [])).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'The hang entry did not finish within 150 ms' } });
  });
});

describe('start-up work', () => {
  test("preloadModules() loads pg, without Node's fetch API (in a process of its own)", () => {
    const sandbox = new URL('../../src/script-runtime/child/sandbox.mjs', import.meta.url).href;
    const probe = `
      const { preloadModules } = await import(${JSON.stringify(sandbox)});
      const { createRequire } = await import('node:module');
      preloadModules();
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        pg: cache.some((file) => file.endsWith('/node_modules/pg/lib/index.js')),
        undici: process.moduleLoadList.some((name) => name.includes('undici')),
        response: typeof Response,
      }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ pg: true, undici: false, response: 'function' });
  });

  test("a runtime starts without Node's fetch API loaded (pg's require included); a script that uses Response still gets it", async () => {
    const s = runtimeSpec({
      sources: {
        probe: `async function probe() {
          const fetchLoaded = () => process.moduleLoadList.some((name) => name.includes('undici'));
          const before = fetchLoaded();
          const pgConnects = typeof require('pg').Client.prototype.connect;
          const kind = typeof Response;
          const text = await new Response('ok').text();
          return { before, pgConnects, kind, text, after: fetchLoaded() };
        }`,
      },
    });
    expect(await pool.call(s, 'probe', [])).toMatchObject({
      ok: true,
      result: { before: false, pgConnects: 'function', kind: 'function', text: 'ok', after: true },
    });
  });
});
