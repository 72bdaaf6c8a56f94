/**
 * Recent use per key (src/script-runtime/use-frequency.ts), with a clock the test controls:
 * the decayed counts, the bound on remembered keys, and the pool keeping a busy pool's
 * runtime when a quiet one needs room.
 */
import { describe, expect, test } from 'vitest';
import { UseFrequency } from '../../src/script-runtime/use-frequency.js';
import { GOOD_USER, newPool, spec } from './helpers.js';

function frequency(now: () => number, overrides: Partial<ConstructorParameters<typeof UseFrequency>[0]> = {}): UseFrequency {
  return new UseFrequency({ halfLifeMs: 1000, maxKeys: 4, minGapMs: 0, now, ...overrides });
}

describe('use frequency', () => {
  test('counts uses, each halving in weight at every half-life period', () => {
    let now = 0;
    const uses = frequency(() => now);
    expect(uses.score('a')).toBe(0);
    uses.record('a');
    uses.record('a');
    expect(uses.score('a')).toBe(2);
    now = 1000;
    expect(uses.score('a')).toBe(1);
    uses.record('a');
    expect(uses.score('a')).toBe(2);
    now = 3000;
    expect(uses.score('a')).toBe(0.5);
    expect(uses.score('b')).toBe(0);
  });

  test('a burst counts as one use: at most one per key in each minGapMs', () => {
    let now = 0;
    const uses = frequency(() => now, { minGapMs: 1000 });
    for (let i = 0; i < 1000; i++) uses.record('burst');
    expect(uses.score('burst')).toBe(1);
    now = 999;
    uses.record('burst');
    expect(uses.score('burst')).toBe(1);
    now = 1000;
    uses.record('burst');
    expect(uses.score('burst')).toBe(1.5);
    uses.record('other');
    expect(uses.score('other')).toBe(1);
  });

  test('equal use in the same period scores exactly equal, whenever in the period it came', () => {
    let now = 100;
    const uses = frequency(() => now);
    uses.record('early');
    now = 900;
    uses.record('late');
    expect(uses.score('early')).toBe(uses.score('late'));
    now = 1500;
    expect(uses.score('early')).toBe(0.5);
    expect(uses.score('late')).toBe(0.5);
  });

  test('a clock going back does not raise a score', () => {
    let now = 5000;
    const uses = frequency(() => now);
    uses.record('a');
    now = 4000;
    expect(uses.score('a')).toBe(1);
  });

  test('an old burst ranks below a steady recent use', () => {
    let now = 0;
    const uses = frequency(() => now);
    for (let i = 0; i < 8; i++) uses.record('burst');
    now = 4000; // 8 uses four half-lives ago weigh 0.5
    uses.record('steady');
    expect(uses.score('burst')).toBe(0.5);
    expect(uses.score('burst')).toBeLessThan(uses.score('steady'));
  });

  test('remembers at most twice maxKeys keys, then keeps the maxKeys best scored', () => {
    let now = 0;
    const uses = frequency(() => now, { maxKeys: 2 });
    for (let i = 0; i < 3; i++) uses.record('busy');
    uses.record('busy');
    uses.record('second');
    uses.record('second');
    now = 1;
    uses.record('once-1');
    uses.record('once-2');
    expect(uses.size).toBe(4);
    uses.record('once-3'); // the fifth key: pruned down to the two best
    expect(uses.size).toBe(2);
    expect(uses.score('busy')).toBeGreaterThan(3.9);
    expect(uses.score('second')).toBeGreaterThan(1.9);
    expect(uses.score('once-1')).toBe(0);
    expect(uses.score('once-3')).toBe(0);
  });
});

describe('the runtime pool under its cap', () => {
  test("keeps a busy connection's runtime when a quiet one needs room, though the busy one was used less recently", async () => {
    // A clock that moves a second per call: uses closer than that count once.
    let now = 0;
    const pool = newPool({ maxRuntimes: 2, warmSpare: false, now: () => (now += 1000) });
    try {
      const args = [{ email: 'a@example.com' }, {}];
      const [busy, quiet, next] = [spec(GOOD_USER), spec(GOOD_USER), spec(GOOD_USER)];
      for (let i = 0; i < 3; i++) expect(await pool.call(busy, 'getUser', args)).toMatchObject({ ok: true });
      expect(await pool.call(quiet, 'getUser', args)).toMatchObject({ ok: true });
      const busyPid = pool.runtimePid(busy.key);
      // `busy` is the least recently used; least-recently-used eviction would stop it here.
      expect(await pool.call(next, 'getUser', args)).toMatchObject({ ok: true });
      expect(pool.runtimePid(busy.key)).toBe(busyPid);
      expect(pool.runtimePid(quiet.key)).toBeUndefined();
      expect(pool.stats().runtimes).toBe(2);
    } finally {
      await pool.close();
    }
  });

  test('never stops a runtime whose call is still waiting for it to start, however little it was used', async () => {
    let now = 0;
    const pool = newPool({ maxRuntimes: 2, warmSpare: false, now: () => (now += 1000) });
    try {
      const args = [{ email: 'a@example.com' }, {}];
      const [busy, starting, next] = [spec(GOOD_USER), spec(GOOD_USER), spec(GOOD_USER)];
      for (let i = 0; i < 3; i++) expect(await pool.call(busy, 'getUser', args)).toMatchObject({ ok: true });
      // `starting` is bound with one use and no call sent yet (its process is starting) when
      // `next` needs room: the busy runtime, idle now, is the one to stop.
      const [first, second] = await Promise.all([pool.call(starting, 'getUser', args), pool.call(next, 'getUser', args)]);
      expect(first).toMatchObject({ ok: true });
      expect(second).toMatchObject({ ok: true });
      expect(pool.runtimePid(busy.key)).toBeUndefined();
    } finally {
      await pool.close();
    }
  });
});
