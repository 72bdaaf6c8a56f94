import { afterAll, describe, expect, test } from 'vitest';
import { expectGoodCall, getUser, newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

const TIMEOUT_MS = 400;

describe('wall-clock limit per call', () => {
  test('times out an endless synchronous loop, kills the runtime, and the next call gets a fresh one', async () => {
    const s = spec(getUser('while (true) {}'), { timeoutMs: TIMEOUT_MS });
    const outcome = await pool.call(s, 'getUser', [{ id: '1' }, {}]);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe('timeout');
    expect(outcome.error.message).toBe(`The Get user script did not finish within ${TIMEOUT_MS} ms`);
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
    await expectGoodCall(pool, s.key);
  });

  test('times out a promise that never settles', async () => {
    const s = spec(getUser('await new Promise(() => {});'), { timeoutMs: TIMEOUT_MS });
    const outcome = await pool.call(s, 'getUser', [{ id: '1' }, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout', name: 'TimeoutError' } });
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
    await expectGoodCall(pool, s.key);
  });

  test('times out top-level code that never finishes loading', async () => {
    const s = spec({ getUser: 'await new Promise(() => {});\nasync function getUser() { return null; }' }, { timeoutMs: TIMEOUT_MS });
    const outcome = await pool.call(s, 'getUser', [{ id: '1' }, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
  });

  test('replaces the runtime after a timeout (a new process answers the next call)', async () => {
    const s = spec({
      getUser: 'async function getUser(q) { if (q.hang) await new Promise(() => {}); return { id: String(process.pid) }; }',
    }, { timeoutMs: TIMEOUT_MS });
    const first = await pool.call(s, 'getUser', [{}, {}]);
    const pidBefore = first.ok ? (first.result as { id: string }).id : '';
    const hung = await pool.call(s, 'getUser', [{ hang: true }, {}]);
    expect(hung).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    const after = await pool.call(s, 'getUser', [{}, {}]);
    expect(after.ok).toBe(true);
    expect(after.ok && (after.result as { id: string }).id).not.toBe(pidBefore);
  });

  test('a call in flight beside an endless loop fails once the loop is detected, within twice its limit', async () => {
    const s = spec({
      getUser: 'async function getUser(q) { if (q.loop) { await new Promise((r) => setTimeout(r, 100)); while (true) {} } await new Promise((r) => setTimeout(r, 50000)); return null; }',
    }, { timeoutMs: TIMEOUT_MS });
    const [looping, waiting] = await Promise.all([
      pool.call(s, 'getUser', [{ loop: true }, {}]),
      pool.call(s, 'getUser', [{}, {}]),
    ]);
    expect(looping).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(waiting.ok).toBe(false);
    expect(waiting.durationMs).toBeLessThan(2 * TIMEOUT_MS);
    await expectGoodCall(pool, s.key);
  });
});
