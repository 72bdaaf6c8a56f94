import { afterAll, describe, expect, test } from 'vitest';
import { newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

describe('concurrent calls on one runtime interleave', () => {
  test('50 concurrent calls with one slow one: the others finish fast', async () => {
    const s = spec(
      {
        getUser: `async function getUser(query) {
          console.log('call', query.n);
          await new Promise((resolve) => setTimeout(resolve, query.slow ? 800 : 5));
          console.log('done', query.n);
          return { id: query.n };
        }`,
      },
      { timeoutMs: 2000 },
    );
    await pool.call(s, 'getUser', [{ n: -1 }, {}]); // warm: exclude the process start
    const started = performance.now();
    const finishedAt: number[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        pool.call(s, 'getUser', [{ n, slow: n === 0 }, {}]).then((outcome) => {
          finishedAt[n] = performance.now() - started;
          return outcome;
        }),
      ),
    );
    outcomes.forEach((outcome, n) => {
      expect(outcome).toMatchObject({ ok: true, result: { id: n } });
      // Each call has its own logs, even though they ran interleaved in one process.
      expect(outcome.logs).toEqual([
        { level: 'log', message: `call ${n}` },
        { level: 'log', message: `done ${n}` },
      ]);
    });
    const fast = finishedAt.slice(1);
    expect(Math.max(...fast)).toBeLessThan(400);
    expect(finishedAt[0]).toBeGreaterThanOrEqual(800);
  });

  test('a runtime serves one connection: concurrent first calls of one key start a single process', async () => {
    // A token made once per process (pids inside the sandbox's pid namespace are all alike).
    const s = spec({ getUser: 'globalThis.token ??= Math.random(); async function getUser() { return { id: String(token) }; }' });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => pool.call(s, 'getUser', [{}, {}])));
    const tokens = new Set(outcomes.map((o) => (o.ok ? (o.result as { id: string }).id : 'failed')));
    expect(tokens.size).toBe(1);
    expect(tokens.has('failed')).toBe(false);
    expect(pool.runtimePid(s.key)).toBeDefined();
  });
});
