import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { poolStats, quantileMs } from '../../src/metrics/pool-stats.js';
import { LATENCY_BUCKETS_MS } from '../../src/metrics/labels.js';
import { parseScrape } from '../support/prometheus.js';
import { scriptCallOutcome } from '../../src/custom-db/call-metrics.js';
import type { CallOutcome, ScriptFailure } from '../../src/custom-db/contract/script-contract.js';

const counts = (entries: Record<number, number>) =>
  Array.from({ length: LATENCY_BUCKETS_MS.length + 1 }, (_, i) => entries[i] ?? 0);

describe('latency percentiles from histogram buckets', () => {
  it('interpolates inside the bucket the rank falls in, as histogram_quantile does', () => {
    // ten calls in (10, 25] ms
    expect(quantileMs(counts({ 2: 10 }), 0.5)).toBe(17.5);
    // 98 fast calls in (0, 5] and 2 slow ones in (1000, 2500]: p50 is fast, p99 is slow
    const mixed = counts({ 0: 98, 8: 2 });
    expect(quantileMs(mixed, 0.5)).toBeCloseTo(2.551, 2);
    expect(quantileMs(mixed, 0.99)).toBe(1750);
  });

  it('answers null without calls and the highest bound for calls past it', () => {
    expect(quantileMs(counts({}), 0.5)).toBeNull();
    expect(quantileMs(counts({ [LATENCY_BUCKETS_MS.length]: 3 }), 0.99)).toBe(30_000);
  });
});

describe('per-minute pool stats', () => {
  it('buckets by the minute of the clock, per pool, with every minute of the window', () => {
    let now = Date.parse('2026-11-30T08:00:59.999Z');
    const stats = poolStats(() => now);
    stats.login('p1', 'success');
    stats.scriptCall('p1', 20);
    now += 1; // 08:01:00.000, the next minute
    stats.login('p1', 'wrong_password');
    stats.login('p2', 'success');
    stats.migrated('p1', 2);
    stats.imported('p1', 500);
    now += 60_000;
    const series = stats.series('p1', 3);
    expect(series.map((minute) => minute.at)).toEqual(['2026-11-30T08:00:00.000Z', '2026-11-30T08:01:00.000Z', '2026-11-30T08:02:00.000Z']);
    expect(series[0]).toMatchObject({ logins: { success: 1, wrong_password: 0 }, scriptCalls: 1, latencyMs: { p50: 17.5, p99: expect.any(Number) } });
    expect(series[1]).toMatchObject({ logins: { success: 0, wrong_password: 1 }, scriptCalls: 0, latencyMs: { p50: null, p99: null }, migrated: 2, imported: 500 });
    expect(series[2]?.logins.success).toBe(0);
    expect(stats.series('p2', 3)[1]?.logins.success).toBe(1);
    expect(stats.series('unknown', 2)).toHaveLength(2);
  });

  it('answers at most the last day', () => {
    let now = Date.parse('2026-11-30T08:00:00Z');
    const stats = poolStats(() => now);
    stats.login('p1', 'success');
    now += 24 * 60 * 60_000 - 60_000;
    expect(stats.series('p1', 10_000)).toHaveLength(24 * 60);
    expect(stats.series('p1', 10_000)[0]?.logins.success).toBe(1);
    now += 60_000;
    stats.login('p1', 'blocked');
    expect(stats.series('p1', 10_000).some((minute) => minute.logins.success > 0)).toBe(false);
  });
});

describe('the metrics registry', () => {
  it('reports the circuit state per pool from the breaker it is given, and imports', async () => {
    const metrics = createMetrics({ processMetrics: false });
    let states: { poolId: string; state: 'closed' | 'open' | 'half-open' }[] = [
      { poolId: 'p1', state: 'open' },
      { poolId: 'p2', state: 'closed' },
    ];
    metrics.watchCircuits(() => states);
    metrics.usersImported('p1', 250);
    metrics.usersImported('p1', 50);
    let scrape = parseScrape(await metrics.text());
    expect(scrape.value('gatehouse_custom_db_circuit_state', { pool: 'p1', state: 'open' })).toBe(1);
    expect(scrape.value('gatehouse_custom_db_circuit_state', { pool: 'p1', state: 'closed' })).toBe(0);
    expect(scrape.value('gatehouse_custom_db_circuit_state', { pool: 'p2', state: 'closed' })).toBe(1);
    expect(scrape.value('gatehouse_users_imported_total', { pool: 'p1' })).toBe(300);
    expect(metrics.pools.series('p1', 1)[0]?.imported).toBe(300);

    states = [{ poolId: 'p1', state: 'half-open' }];
    scrape = parseScrape(await metrics.text());
    expect(scrape.value('gatehouse_custom_db_circuit_state', { pool: 'p1', state: 'half-open' })).toBe(1);
    // a pool whose breaker is gone leaves no frozen series behind
    expect(scrape.samples('gatehouse_custom_db_circuit_state', { pool: 'p2' })).toEqual([]);
  });

  it('uses its own registry: two servers in one process never mix their counts', async () => {
    const one = createMetrics({ processMetrics: false });
    const two = createMetrics({ processMetrics: false });
    one.login('p1', 'success', 'local');
    expect(parseScrape(await one.text()).value('gatehouse_logins_total', { pool: 'p1', outcome: 'success', source: 'local' })).toBe(1);
    expect(parseScrape(await two.text()).samples('gatehouse_logins_total')).toEqual([]);
  });
});

describe('script call outcome labels', () => {
  const failed = (error: ScriptFailure): CallOutcome => ({ ok: false, error, logs: [], durationMs: 5 });
  it('tells a typed error, a throw and a dead runtime apart, and keeps the other kinds', () => {
    expect(scriptCallOutcome({ ok: true, result: null, logs: [], durationMs: 5 })).toBe('ok');
    expect(scriptCallOutcome(failed({ kind: 'runtime', name: 'WrongUsernameOrPasswordError', message: 'no' }))).toBe('typed_error');
    expect(scriptCallOutcome(failed({ kind: 'runtime', name: 'TypeError', message: 'x is undefined' }))).toBe('error');
    expect(scriptCallOutcome(failed({ kind: 'runtime', name: 'RuntimeExitError', message: 'The script runtime exited unexpectedly (signal SIGKILL)' }))).toBe('crash');
    // a runtime killed by an uncaught exception keeps the exception's name; its message says it crashed
    expect(scriptCallOutcome(failed({ kind: 'runtime', name: 'Error', message: 'The script runtime crashed on an uncaught exception: boom' }))).toBe('crash');
    expect(scriptCallOutcome(failed({ kind: 'timeout', name: 'TimeoutError', message: 'late' }))).toBe('timeout');
    expect(scriptCallOutcome(failed({ kind: 'not_implemented', name: 'NotImplementedError', message: 'default' }))).toBe('not_implemented');
    expect(scriptCallOutcome(failed({ kind: 'denied', name: 'EgressDeniedError', message: 'no' }))).toBe('denied');
  });
});
