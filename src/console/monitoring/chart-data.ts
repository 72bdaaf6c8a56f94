/**
 * The pool stats as the charts and their tables need them: uPlot's columnar data (x in
 * seconds, one array per series, null where there is nothing to draw) and the text that
 * says the same for readers who do not see the chart. Pure functions, tested on their own.
 */
import type { LoginOutcome, MinuteStats } from '../api/types.js';

/** uPlot's aligned data: timestamps (s) first, then one array per series. */
export type Columns = [number[], ...(number | null)[][]];

export interface ChartSeries {
  label: string;
  columns: Columns;
  /** the label of each series after the x column, in order */
  series: string[];
}

/** Outcomes in the order the chart and table list them: success first, then why logins failed. */
export const OUTCOME_LABELS: Record<LoginOutcome, string> = {
  success: 'Success',
  wrong_password: 'Wrong password',
  blocked: 'Blocked',
  throttled: 'Throttled',
  conflict: 'Conflict',
  not_implemented: 'Script not implemented',
  error: 'Script error',
  timeout: 'Script timeout',
  unavailable: 'Unavailable',
};

const outcomes = Object.keys(OUTCOME_LABELS) as LoginOutcome[];
const seconds = (minutes: MinuteStats[]) => minutes.map((minute) => Date.parse(minute.at) / 1000);

/** Logins per minute, one series per outcome that happened at all in the window. */
export function loginColumns(minutes: MinuteStats[]): ChartSeries {
  const present = outcomes.filter((outcome) => minutes.some((minute) => minute.logins[outcome] > 0));
  return {
    label: 'Logins per minute by outcome',
    columns: [seconds(minutes), ...present.map((outcome) => minutes.map((minute) => minute.logins[outcome]))],
    series: present.map((outcome) => OUTCOME_LABELS[outcome]),
  };
}

/** Script latency p50 and p99 per minute (ms); a minute without calls is a gap, not a zero. */
export function latencyColumns(minutes: MinuteStats[]): ChartSeries {
  return {
    label: 'Script latency per minute (ms)',
    columns: [seconds(minutes), minutes.map((minute) => minute.latencyMs.p50), minutes.map((minute) => minute.latencyMs.p99)],
    series: ['p50', 'p99'],
  };
}

/** Users migrated and imported, added up from the window's start. */
export function migrationColumns(minutes: MinuteStats[]): ChartSeries {
  const running = (pick: (minute: MinuteStats) => number) => {
    let total = 0;
    return minutes.map((minute) => (total += pick(minute)));
  };
  return {
    label: 'Users migrated and imported since the window began',
    columns: [seconds(minutes), running((minute) => minute.migrated), running((minute) => minute.imported)],
    series: ['Migrated', 'Imported'],
  };
}

export interface LoginTotal {
  outcome: LoginOutcome;
  label: string;
  count: number;
}

/** Logins in the window per outcome, every outcome listed (zeros too), for the table beside the chart. */
export function loginTotals(minutes: MinuteStats[]): LoginTotal[] {
  return outcomes.map((outcome) => ({
    outcome,
    label: OUTCOME_LABELS[outcome],
    count: minutes.reduce((sum, minute) => sum + minute.logins[outcome], 0),
  }));
}

/** The minutes that had script calls, newest first, for the latency table. */
export function busyMinutes(minutes: MinuteStats[]): MinuteStats[] {
  return minutes.filter((minute) => minute.scriptCalls > 0).reverse();
}

/** One sentence per chart, for screen readers and for anyone before the chart draws. */
export function summaries(minutes: MinuteStats[], windowLabel: string): { logins: string; latency: string; migration: string } {
  const totals = loginTotals(minutes);
  const all = totals.reduce((sum, total) => sum + total.count, 0);
  const parts = totals.filter((total) => total.count > 0).map((total) => `${total.count} ${total.label.toLowerCase()}`);
  const busy = busyMinutes(minutes);
  const calls = busy.reduce((sum, minute) => sum + minute.scriptCalls, 0);
  const worstP99 = busy.reduce<number | null>((worst, minute) => {
    const p99 = minute.latencyMs.p99;
    return p99 === null ? worst : Math.max(worst ?? 0, p99);
  }, null);
  const migrated = minutes.reduce((sum, minute) => sum + minute.migrated, 0);
  const imported = minutes.reduce((sum, minute) => sum + minute.imported, 0);
  return {
    logins: all === 0 ? `No logins in the last ${windowLabel}.` : `${all} logins in the last ${windowLabel}: ${parts.join(', ')}.`,
    latency:
      calls === 0 || worstP99 === null
        ? `No script calls in the last ${windowLabel}.`
        : `${calls} script calls in the last ${windowLabel}; the slowest minute's p99 was ${formatMs(worstP99)}.`,
    migration: `${migrated} users migrated and ${imported} imported in the last ${windowLabel}.`,
  };
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}
