/**
 * Warm spares sized to the recent cold-start rate (src/script-runtime/spare-sizing.ts), with
 * a clock the test controls: the sizing itself, and the pool keeping (then giving back)
 * that many spare processes.
 */
import { describe, expect, test } from 'vitest';
import { SpareSizer } from '../../src/script-runtime/spare-sizing.js';
import { eventually, GOOD_USER, newPool, spec } from './helpers.js';

const args = [{ email: 'a@example.com' }, {}];

function sizer(now: () => number, overrides: Partial<ConstructorParameters<typeof SpareSizer>[0]> = {}): SpareSizer {
  return new SpareSizer({ min: 1, max: 4, windowMs: 10_000, initialStartupMs: 300, now, ...overrides });
}

describe('spare sizing', () => {
  test('keeps the minimum while there are no cold starts', () => {
    expect(sizer(() => 0).target()).toBe(1);
    expect(sizer(() => 0, { min: 0 }).target()).toBe(0);
  });

  test('adds the cold starts expected while one spare starts, within the maximum', () => {
    let now = 0;
    const sizing = sizer(() => now);
    // 10 cold starts in 10 s, spares starting in 300 ms: 0.3 expected during one start.
    for (let i = 0; i < 10; i++) sizing.recordColdStart();
    expect(sizing.target()).toBe(2);
    // 100 in 10 s: 3 expected during one start.
    for (let i = 0; i < 90; i++) sizing.recordColdStart();
    expect(sizing.target()).toBe(4);
    for (let i = 0; i < 1000; i++) sizing.recordColdStart();
    expect(sizing.target()).toBe(4);
    now = 10_001;
    expect(sizing.target()).toBe(1);
  });

  test('follows the measured start time of spares', () => {
    const sizing = sizer(() => 0);
    for (let i = 0; i < 100; i++) sizing.recordColdStart();
    expect(sizing.target()).toBe(4);
    // Spares start in 20 ms: 100 cold starts in 10 s are 0.2 during one start.
    for (let i = 0; i < 30; i++) sizing.recordStartup(20);
    expect(sizing.startupMs).toBeLessThan(25);
    expect(sizing.target()).toBe(2);
  });

  test('ignores start times that are not a duration, and takes a zero one', () => {
    const sizing = sizer(() => 0);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1]) sizing.recordStartup(bad);
    expect(sizing.startupMs).toBe(300);
    sizing.recordStartup(0);
    expect(sizing.startupMs).toBeCloseTo(210);
  });

  test('a cold start counts for exactly the window: gone at its end, kept a millisecond before', () => {
    let now = 1000;
    const sizing = sizer(() => now, { windowMs: 1000, initialStartupMs: 1000 });
    sizing.recordColdStart();
    now = 1999;
    expect(sizing.target()).toBe(2);
    now = 2000;
    expect(sizing.target()).toBe(1);
  });

  test('a pool keeps more spares after a burst of cold starts, and gives them back once the burst is over', async () => {
    let now = 0;
    const pool = newPool({ warmSpare: true, warmSpares: { min: 1, max: 2, windowMs: 1000 }, now: () => now, idleMs: 60_000 });
    try {
      await pool.warmUp();
      expect(pool.stats().spares).toBe(1);
      // Two new connections within the window: any start time above zero asks for one more spare.
      for (let i = 0; i < 2; i++) expect((await pool.call(spec(GOOD_USER), 'getUser', args)).ok).toBe(true);
      expect(await eventually(() => pool.stats().spares === 2, 60_000)).toBe(true);
      now += 1001;
      expect(await eventually(() => pool.stats().spares === 1, 90_000)).toBe(true);
      expect(pool.stats().runtimes).toBe(2);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
