import { describe, expect, test } from 'vitest';
import type { RuntimeStopReason } from '../../src/script-runtime/index.js';
import { eventually, getUser, GOOD_USER, isAlive, newPool, spec } from './helpers.js';

const args = [{ email: 'a@example.com' }, {}];

/** A pool whose `runtimeStopped` events are collected, as the server's metrics collect them. */
function watchedPool(options: Parameters<typeof newPool>[0] = {}) {
  const stopped: RuntimeStopReason[] = [];
  const pool = newPool({ ...options, events: { runtimeStopped: (reason) => stopped.push(reason) } });
  return { pool, stopped };
}

describe('runtime stop events (the restarts metric)', () => {
  test('say why each bound runtime stopped: changed, evicted, timeout, crash; not the pool closing', async () => {
    const { pool, stopped } = watchedPool({ maxRuntimes: 1 });
    try {
      const first = spec(GOOD_USER);
      await pool.call(first, 'getUser', args);
      await pool.runtime.invalidate(first.key);
      expect(await eventually(() => stopped.length === 1)).toBe(true);
      expect(stopped).toEqual(['changed']);

      await pool.call(first, 'getUser', args);
      // a second connection with a cap of one runtime evicts the first
      const second = spec(getUser('await new Promise(() => {});'), { timeoutMs: 200 });
      const timedOut = await pool.call(second, 'getUser', args);
      expect(timedOut.ok ? 'ok' : timedOut.error.kind).toBe('timeout');
      expect(await eventually(() => stopped.length === 3)).toBe(true);
      expect(stopped.slice(1).sort()).toEqual(['evicted', 'timeout']);

      await pool.call(first, 'getUser', args);
      process.kill(pool.runtime.runtimePid(first.key) ?? 0, 'SIGKILL');
      expect(await eventually(() => stopped.length === 4)).toBe(true);
      expect(stopped[3]).toBe('crash');

      await pool.call(first, 'getUser', args);
    } finally {
      await pool.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toHaveLength(4);
  });

  test('say idle for a runtime stopped after idling', async () => {
    const { pool, stopped } = watchedPool({ idleMs: 200 });
    try {
      await pool.call(spec(GOOD_USER), 'getUser', args);
      expect(await eventually(() => stopped.length === 1, 5000)).toBe(true);
      expect(stopped).toEqual(['idle']);
      expect(pool.runtime.stats().runtimes).toBe(0);
    } finally {
      await pool.close();
    }
  });

  test('say cpu for a runtime that keeps using CPU after its call answered (a timer left spinning), and stop it', async () => {
    const { pool, stopped } = watchedPool();
    try {
      // Busy 60 ms of every 100 ms once the call has answered: well over the 10% idle share.
      const spinning = spec(getUser('setInterval(() => { const until = Date.now() + 60; while (Date.now() < until); }, 100); return { id: "spin" };'));
      expect(await pool.call(spinning, 'getUser', args)).toMatchObject({ ok: true });
      const pid = pool.runtime.runtimePid(spinning.key);
      expect(pid).toBeDefined();
      expect(await eventually(() => stopped.length === 1, 8000)).toBe(true);
      expect(stopped).toEqual(['cpu']);
      expect(await eventually(() => pool.runtime.runtimePid(spinning.key) === undefined || !isAlive(pid ?? 0), 5000)).toBe(true);
      // The next call gets a fresh runtime.
      expect(await pool.call(spinning, 'getUser', args)).toMatchObject({ ok: true });
      expect(pool.runtime.runtimePid(spinning.key)).not.toBe(pid);
    } finally {
      await pool.close();
    }
  });

  test('a runtime idle between calls is not stopped for CPU', async () => {
    const { pool, stopped } = watchedPool();
    try {
      const quiet = spec(getUser('setInterval(() => {}, 100); return { id: "quiet" };'));
      expect(await pool.call(quiet, 'getUser', args)).toMatchObject({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(stopped).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
