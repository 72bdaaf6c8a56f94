import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { eventually, GOOD_USER, isAlive, newPool, spec, TestPool } from './helpers.js';
import { toRuntimeSpec } from '../../src/custom-db/script-caller.js';

const args = [{ email: 'a@example.com' }, {}];

function childPids(): number[] {
  try {
    return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('runtime lifecycle', () => {
  test('starts lazily on the first call', async () => {
    const pool = newPool();
    try {
      const s = spec(GOOD_USER);
      expect(pool.stats()).toMatchObject({ runtimes: 0, spare: false });
      expect(pool.runtimePid(s.key)).toBeUndefined();
      expect((await pool.call(s, 'getUser', args)).ok).toBe(true);
      expect(pool.stats().runtimes).toBe(1);
      expect(isAlive(pool.runtimePid(s.key))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  test("is replaced when the connection's scripts or config change; the old process is stopped", async () => {
    const pool = newPool();
    try {
      const s = spec(GOOD_USER);
      await pool.call(s, 'getUser', args);
      const before = pool.runtimePid(s.key);
      await pool.call({ ...s }, 'getUser', args); // same content, new object: same runtime
      expect(pool.runtimePid(s.key)).toBe(before);
      const changed = await pool.call({ ...s, env: { DB_HOST: 'elsewhere' } }, 'getUser', args);
      expect(changed.ok).toBe(true);
      const after = pool.runtimePid(s.key);
      expect(after).not.toBe(before);
      expect(await eventually(() => !isAlive(before))).toBe(true);
      await pool.call({ ...s, env: { DB_HOST: 'elsewhere' }, timeoutMs: 2000 }, 'getUser', args);
      expect(pool.runtimePid(s.key)).not.toBe(after);
      expect(pool.stats().runtimes).toBe(1);
    } finally {
      await pool.close();
    }
  });

  test('invalidate(key) stops the runtime of that key', async () => {
    const pool = newPool();
    try {
      const s = spec(GOOD_USER);
      await pool.call(s, 'getUser', args);
      const pid = pool.runtimePid(s.key);
      await pool.invalidate(s.key);
      expect(pool.runtimePid(s.key)).toBeUndefined();
      expect(isAlive(pid)).toBe(false);
      expect((await pool.call(s, 'getUser', args)).ok).toBe(true);
    } finally {
      await pool.close();
    }
  });

  test('stops runtimes after idling', async () => {
    const pool = newPool({ idleMs: 200 });
    try {
      const s = spec(GOOD_USER);
      await pool.call(s, 'getUser', args);
      const pid = pool.runtimePid(s.key);
      expect(await eventually(() => pool.stats().runtimes === 0 && !isAlive(pid))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  test('caps the number of runtimes, stopping the one used least lately first', async () => {
    const pool = newPool({ maxRuntimes: 2 });
    try {
      const [a, b, c] = [spec(GOOD_USER), spec(GOOD_USER), spec(GOOD_USER)];
      await pool.call(a, 'getUser', args);
      await pool.call(b, 'getUser', args);
      await pool.call(a, 'getUser', args); // b is now the least used, and the least recently
      const pidB = pool.runtimePid(b.key);
      await pool.call(c, 'getUser', args);
      expect(pool.stats().runtimes).toBe(2);
      expect(pool.runtimePid(b.key)).toBeUndefined();
      expect(pool.runtimePid(a.key)).toBeDefined();
      expect(pool.runtimePid(c.key)).toBeDefined();
      expect(await eventually(() => !isAlive(pidB))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  test('a new connection takes the warm spare, and a new spare is forked behind it', async () => {
    const pool = new TestPool({ warmSpare: true });
    try {
      await pool.warmUp();
      expect(pool.stats().spare).toBe(true);
      const [sparePid] = childPids();
      expect(sparePid).toBeDefined();
      const s = spec(GOOD_USER);
      expect((await pool.call(s, 'getUser', args)).ok).toBe(true);
      expect(pool.runtimePid(s.key)).toBe(sparePid);
      await pool.warmUp();
      expect(pool.stats()).toMatchObject({ runtimes: 1, spare: true });
      // A connection asking for another heap size cannot use the spare (the cap is fixed at fork).
      const big = spec(GOOD_USER, { memoryMb: 256 });
      const spareBefore = childPids().filter((p) => p !== sparePid);
      await pool.call(big, 'getUser', args);
      expect(spareBefore).not.toContain(pool.runtimePid(big.key));
    } finally {
      await pool.close();
    }
  });

  test("the taken spare's replacement is forked after the first call's caller had time to answer, not on its path", async () => {
    const pool = new TestPool({ warmSpare: true });
    try {
      await pool.warmUp();
      const before = childPids();
      const s = spec(GOOD_USER);
      expect((await pool.call(s, 'getUser', args)).ok).toBe(true);
      // Forking blocks the event loop and the child's start takes a core: the caller (a
      // login still to sign its token and answer) goes first.
      expect(pool.stats()).toMatchObject({ runtimes: 1, spares: 0 });
      expect(childPids()).toEqual(before);
      expect(await eventually(() => pool.stats().spares >= 1)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  test("a spare's warm-up (the first-call path run once before ready) leaves nothing its connection's scripts can see", async () => {
    const pool = new TestPool({ warmSpare: true });
    try {
      await pool.warmUp();
      const probe = spec({
        getUser: `async function getUser(query, context) {
          const names = Object.getOwnPropertyNames(globalThis).filter((name) => /warm|typed/i.test(name));
          return { id: [typeof warmUp, typeof Typed, names.join('|')].join(',') };
        }`,
      });
      const outcome = await pool.call(probe, 'getUser', args);
      expect(outcome).toMatchObject({ ok: true, result: { id: 'undefined,undefined,' }, logs: [] });
    } finally {
      await pool.close();
    }
  });

  test('prepare(spec) binds and loads a connection before its first call; that call is answered by the same runtime', async () => {
    const pool = new TestPool({ warmSpare: true });
    try {
      await pool.warmUp();
      const s = spec({ getUser: `console.log('loaded');\nasync function getUser(query, context) { return { id: String(process.pid) }; }` });
      pool.runtime.prepare(toRuntimeSpec(s));
      const prepared = pool.runtimePid(s.key);
      expect(prepared).toBeDefined();
      expect(pool.stats().coldStarts).toBe(1);
      // Preparing the same spec again changes nothing.
      pool.runtime.prepare(toRuntimeSpec(s));
      expect(pool.runtimePid(s.key)).toBe(prepared);
      const first = await pool.call(s, 'getUser', args);
      // Output of the scripts' top-level code still goes to the first call.
      expect(first).toMatchObject({ ok: true, logs: [{ level: 'log', message: 'loaded' }] });
      expect(pool.runtimePid(s.key)).toBe(prepared);
      expect(pool.stats().coldStarts).toBe(1);
      // A connection with no script to load is not given a process.
      const empty = spec({});
      pool.runtime.prepare(toRuntimeSpec(empty));
      expect(pool.runtimePid(empty.key)).toBeUndefined();
      // Without a ready spare nothing is forked: the first call starts the runtime as before.
      const noSpare = new TestPool({ warmSpare: false });
      try {
        const later = spec(GOOD_USER);
        noSpare.runtime.prepare(toRuntimeSpec(later));
        expect(noSpare.runtimePid(later.key)).toBeUndefined();
        expect(noSpare.stats().coldStarts).toBe(0);
      } finally {
        await noSpare.close();
      }
    } finally {
      await pool.close();
    }
  });

  test('close() stops every process (runtimes and spare) and later calls fail as values', async () => {
    const pool = new TestPool({ warmSpare: true });
    const s = spec(GOOD_USER);
    await pool.call(s, 'getUser', args);
    await pool.warmUp();
    const pids = childPids();
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await pool.close();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await pool.call(s, 'getUser', args)).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'The script runtime pool is closed' } });
  });
});
