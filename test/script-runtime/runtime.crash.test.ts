import { afterAll, describe, expect, test } from 'vitest';
import { eventually, expectGoodCall, getUser, isAlive, newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

const TIMEOUT_MS = 1000;

describe('a runtime that dies fails its calls as values, and the next call gets a fresh one', () => {
  test('process.exit() in a script fails the call with kind runtime', async () => {
    const s = spec(getUser('process.exit(3);'), { timeoutMs: TIMEOUT_MS });
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'runtime', name: 'RuntimeExitError', message: 'The script runtime exited unexpectedly (exit code 3)' },
    });
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
    await expectGoodCall(pool, s.key);
  });

  test('a runtime killed by pid fails every call in flight, and the next call works', async () => {
    const s = spec(getUser('if (query.wait) await new Promise((r) => setTimeout(r, 60_000)); return { id: process.pid };'), { timeoutMs: 5000 });
    const first = await pool.call(s, 'getUser', [{}, {}]);
    const pid = pool.runtimePid(s.key);
    expect(first).toMatchObject({ ok: true, result: { id: pid } });
    const inFlight = Promise.all([pool.call(s, 'getUser', [{ wait: true }, {}]), pool.call(s, 'getUser', [{ wait: true }, {}])]);
    await new Promise((r) => setTimeout(r, 100));
    process.kill(pid ?? 0, 'SIGKILL');
    for (const outcome of await inFlight) {
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'The script runtime exited unexpectedly (signal SIGKILL)' } });
      expect(outcome.durationMs).toBeLessThan(1000);
    }
    const after = await pool.call(s, 'getUser', [{}, {}]);
    expect(after.ok).toBe(true);
    expect(pool.runtimePid(s.key)).not.toBe(pid);
  });

  test('an uncaught exception in background work fails the calls in flight with its message', async () => {
    const s = spec(getUser('setTimeout(() => { throw new Error("boom in a timer"); }, 10); await new Promise((r) => setTimeout(r, 5000)); return null;'), { timeoutMs: TIMEOUT_MS });
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'runtime', name: 'Error', message: 'The script runtime crashed on an uncaught exception: boom in a timer' },
    });
    await expectGoodCall(pool, s.key);
  });

  test('an unhandled promise rejection is logged but does not take the runtime down', async () => {
    const s = spec(getUser('Promise.reject(new Error("forgotten")); await new Promise((r) => setTimeout(r, 20)); return { id: process.pid };'));
    const first = await pool.call(s, 'getUser', [{}, {}]);
    expect(first).toMatchObject({ ok: true });
    expect(first.logs.map((l) => l.message).join('\n')).toContain('forgotten');
    const second = await pool.call(s, 'getUser', [{}, {}]);
    expect(second.ok && second.result).toEqual(first.ok && first.result);
  });

  test('a script closing the IPC channel gets its runtime replaced', async () => {
    const s = spec(getUser('if (query.cut) { process.disconnect(); await new Promise(() => {}); } return { id: process.pid };'), { timeoutMs: TIMEOUT_MS });
    await expectGoodCall(pool, s.key);
    const pid = pool.runtimePid(s.key);
    const outcome = await pool.call(s, 'getUser', [{ cut: true }, {}]);
    expect(outcome.ok).toBe(false);
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
    expect(await eventually(() => !isAlive(pid))).toBe(true);
    await expectGoodCall(pool, s.key);
  });

  test('forged messages from a script do not crash the server', async () => {
    const s = spec(getUser(`
      process.send({ type: 'result', id: 'nope' });
      process.send({ type: 'result', id: 999999, ok: true, result: { id: 'forged' } });
      process.send({ type: 'fatal' });
      process.send(null);
      process.send({ type: 'unknown' });
      return { id: 'real' };`));
    expect(await pool.call(s, 'getUser', [{}, {}])).toMatchObject({ ok: true, result: { id: 'real' } });
  });
});
