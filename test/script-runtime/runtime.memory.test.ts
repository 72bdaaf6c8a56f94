import { afterAll, describe, expect, test } from 'vitest';
import { alivePid, expectReplaced, getUser, newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

describe('memory cap per runtime', () => {
  test('a memory hog fails with kind oom, and the next call gets a fresh runtime', async () => {
    const s = spec(getUser('const hoard = []; while (true) hoard.push(new Array(1e5).fill(Math.random()));'), {
      memoryMb: 64,
      timeoutMs: 10_000,
    });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      ok: false,
      error: { kind: 'oom', name: 'OutOfMemoryError', message: 'The script runtime ran out of memory (limit 64 MB)' },
    });
    expect(outcome.durationMs).toBeLessThan(10_000);
    await expectReplaced(pool, s, pid);
  });

  test('an asynchronous memory hog (growing across awaits) fails with kind oom too', async () => {
    const s = spec(getUser('const hoard = []; for (;;) { hoard.push("x".repeat(1e6) + Math.random()); await null; }'), {
      memoryMb: 64,
      timeoutMs: 10_000,
    });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'oom' } });
    await expectReplaced(pool, s, pid);
  });
});

describe('memory outside the V8 heap', () => {
  test('a Buffer hog (not covered by the heap cap) is stopped by the resident-memory backstop with kind oom', async () => {
    const s = spec(getUser('const hoard = []; for (;;) { hoard.push(Buffer.alloc(32 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 20)); }'), {
      memoryMb: 32,
      timeoutMs: 10_000,
    });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, error: { kind: 'oom', name: 'OutOfMemoryError' } });
    expect(outcome.ok === false && outcome.error.message).toContain('192 MB ceiling');
    expect(outcome.durationMs).toBeLessThan(5000);
    await expectReplaced(pool, s, pid);
  });
});
