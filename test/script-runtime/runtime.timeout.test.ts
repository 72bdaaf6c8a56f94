import { afterAll, describe, expect, test } from 'vitest';
import { alivePid, expectReplaced, getUser, newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

const TIMEOUT_MS = 400;

describe('wall-clock limit per call', () => {
  test('times out an endless synchronous loop, kills the runtime, and the next call gets a fresh one', async () => {
    const s = spec(getUser('while (true) {}'), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{ id: '1' }, {}]);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe('timeout');
    expect(outcome.error.message).toBe(`The Get user script did not finish within ${TIMEOUT_MS} ms`);
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
    // The looping process must be killed by the server: it would never answer again.
    await expectReplaced(pool, s, pid);
  });

  test('times out a promise that never settles, and retires that runtime too', async () => {
    const s = spec(getUser('await new Promise(() => {});'), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{ id: '1' }, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout', name: 'TimeoutError' } });
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
    await expectReplaced(pool, s, pid);
  });

  test('times out top-level code that never finishes loading', async () => {
    const s = spec({ getUser: 'await new Promise(() => {});\nasync function getUser() { return null; }' }, { timeoutMs: TIMEOUT_MS });
    const outcome = await pool.call(s, 'getUser', [{ id: '1' }, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(outcome.durationMs).toBeLessThan(2 * TIMEOUT_MS);
  });

  test('a call in flight beside an endless loop fails once the loop is detected, before its own limit', async () => {
    const s = spec(getUser('if (query.loop) { await new Promise((r) => setTimeout(r, 100)); while (true) {} } await new Promise((r) => setTimeout(r, 50000)); return null;'), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const looping = pool.call(s, 'getUser', [{ loop: true }, {}]);
    // Sent while the runtime is stuck: its own timer would fire at ~350 + 400 ms, later than
    // the loop is detected (the loop's timeout at 400 ms plus the 200 ms ping).
    await new Promise((r) => setTimeout(r, 350));
    const waiting = await pool.call(s, 'getUser', [{}, {}]);
    expect(await looping).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(waiting).toMatchObject({
      ok: false,
      error: { kind: 'runtime', name: 'RuntimeStoppedError', message: 'The script runtime stopped responding after the Get user script timed out' },
    });
    expect(waiting.durationMs).toBeLessThan(TIMEOUT_MS);
    await expectReplaced(pool, s, pid);
  });
});
