// @vitest-environment happy-dom
/**
 * The console's monitoring page: the stats turned into uPlot's columns and into the text
 * beside each chart (unit tests: a test DOM draws no canvas), and the page's headings,
 * tables and window choice against a fake of the API.
 */
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MonitoringPage } from '../../src/console/monitoring/MonitoringPage.js';
import { busyMinutes, latencyColumns, loginColumns, loginTotals, migrationColumns, summaries } from '../../src/console/monitoring/chart-data.js';
import { parseRoute, paths } from '../../src/console/router.js';
import type { MinuteStats, PoolStats } from '../../src/console/api/types.js';
import { apiError, fakeApi } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const NO_LOGINS: MinuteStats['logins'] = {
  success: 0, wrong_password: 0, blocked: 0, throttled: 0, conflict: 0, not_implemented: 0, error: 0, timeout: 0, unavailable: 0,
};

function minute(at: string, overrides: Partial<Omit<MinuteStats, 'logins'>> & { logins?: Partial<MinuteStats['logins']> } = {}): MinuteStats {
  return {
    at,
    scriptCalls: 0,
    latencyMs: { p50: null, p99: null },
    migrated: 0,
    imported: 0,
    ...overrides,
    logins: { ...NO_LOGINS, ...overrides.logins },
  };
}

const MINUTES: MinuteStats[] = [
  minute('2026-11-30T12:00:00.000Z', { logins: { success: 3, wrong_password: 1 }, scriptCalls: 4, latencyMs: { p50: 12, p99: 40 }, migrated: 2 }),
  minute('2026-11-30T12:01:00.000Z'),
  minute('2026-11-30T12:02:00.000Z', { logins: { success: 1, timeout: 2 }, scriptCalls: 3, latencyMs: { p50: 30, p99: 2400 }, migrated: 1, imported: 500 }),
];

describe('chart data', () => {
  it('puts logins in columns: seconds, then one series per outcome that happened', () => {
    const chart = loginColumns(MINUTES);
    expect(chart.series).toEqual(['Success', 'Wrong password', 'Script timeout']);
    expect(chart.columns).toEqual([
      [1796040000, 1796040060, 1796040120],
      [3, 0, 1],
      [1, 0, 0],
      [0, 0, 2],
    ]);
  });

  it('leaves a gap in the latency lines where a minute had no calls', () => {
    expect(latencyColumns(MINUTES).columns.slice(1)).toEqual([
      [12, null, 30],
      [40, null, 2400],
    ]);
  });

  it('adds migrated and imported users up over the window', () => {
    expect(migrationColumns(MINUTES).columns.slice(1)).toEqual([
      [2, 2, 3],
      [0, 0, 500],
    ]);
  });

  it('says the same in words and tables', () => {
    expect(loginTotals(MINUTES).filter((total) => total.count > 0)).toEqual([
      { outcome: 'success', label: 'Success', count: 4 },
      { outcome: 'wrong_password', label: 'Wrong password', count: 1 },
      { outcome: 'timeout', label: 'Script timeout', count: 2 },
    ]);
    expect(busyMinutes(MINUTES).map((m) => m.at)).toEqual(['2026-11-30T12:02:00.000Z', '2026-11-30T12:00:00.000Z']);
    expect(summaries(MINUTES, 'hour')).toEqual({
      logins: '7 logins in the last hour: 4 success, 1 wrong password, 2 script timeout.',
      latency: "7 script calls in the last hour; the slowest minute's p99 was 2.4 s.",
      migration: '3 users migrated and 500 imported in the last hour.',
    });
    expect(summaries([minute('2026-11-30T12:00:00.000Z')], 'hour')).toMatchObject({
      logins: 'No logins in the last hour.',
      latency: 'No script calls in the last hour.',
    });
  });
});

describe('monitoring page', () => {
  const stats = (window: string): PoolStats => ({ window, bucketSeconds: 60, scope: 'instance', minutes: MINUTES, migratedUsers: 1234 });

  it('shows a heading, a sentence and a table for each chart, and asks again for another window', async () => {
    const api = fakeApi(({ path }) => {
      const match = /^\/api\/v1\/pools\/p1\/stats\?window=(\w+)$/.exec(path);
      return match ? { status: 200, body: stats(match[1] ?? '') } : undefined;
    });
    render(<MonitoringPage poolId="p1" />);
    expect(await screen.findByRole('heading', { name: 'Logins by outcome' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Script latency' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Migration progress' })).toBeTruthy();
    expect(screen.getByText('7 logins in the last hour: 4 success, 1 wrong password, 2 script timeout.')).toBeTruthy();
    expect(screen.getByText(/3 users migrated and 500 imported in the last hour\. 1234 users have migrated in total\./)).toBeTruthy();

    const logins = screen.getByRole('table', { name: 'Logins in the last hour' });
    const row = (name: string) => within(logins).getByRole('row', { name: new RegExp(`^${name} `) });
    expect(within(row('Success')).getByRole('cell').textContent).toBe('4');
    expect(within(row('Blocked')).getByRole('cell').textContent).toBe('0');
    const latencyRows = screen.getByText('Minutes with script calls').closest('details')?.querySelectorAll('tbody tr');
    expect([...(latencyRows ?? [])].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['3', '30 ms', '2.4 s'],
      ['4', '12 ms', '40 ms'],
    ]);
    expect(api.sent.map((request) => request.path)).toEqual(['/api/v1/pools/p1/stats?window=1h']);

    fireEvent.change(screen.getByRole('combobox', { name: 'Window' }), { target: { value: '24h' } });
    await waitFor(() => expect(api.sent.at(-1)?.path).toBe('/api/v1/pools/p1/stats?window=24h'));
    expect(await screen.findByRole('table', { name: 'Logins in the last 24 hours' })).toBeTruthy();
  });

  it("shows the API's error", async () => {
    fakeApi(() => apiError(404, 'POOL_NOT_FOUND', 'No user pool with id p1'));
    render(<MonitoringPage poolId="p1" />);
    expect((await screen.findByRole('alert')).textContent).toContain('No user pool with id p1');
  });

  it('has its own address under the pool', () => {
    expect(paths.monitoring('p 1')).toBe('/console/pools/p%201/monitoring');
    expect(parseRoute('/console/pools/p%201/monitoring')).toEqual({ page: 'monitoring', poolId: 'p 1' });
  });
});
