/**
 * A pool's monitoring: logins by outcome, script latency p50/p99 and migration progress per
 * minute, each chart with a sentence and a table that say the same in text. The numbers are
 * the answering instance's (kept in its memory), which the page says.
 */
import { useId, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { StatsWindow } from '../api/types.js';
import { ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../components/format.js';
import { busyMinutes, formatMs, latencyColumns, loginColumns, loginTotals, migrationColumns, summaries } from './chart-data.js';
import { UPlotChart } from './UPlotChart.js';

const WINDOWS: { value: StatsWindow; label: string }[] = [
  { value: '15m', label: '15 minutes' },
  { value: '1h', label: 'hour' },
  { value: '6h', label: '6 hours' },
  { value: '24h', label: '24 hours' },
];

export function MonitoringPage({ poolId }: { poolId: string }) {
  const id = useId();
  const [span, setSpan] = useState<StatsWindow>('1h');
  const { state, reload } = useAsync(() => api.stats(poolId, span), [poolId, span]);
  const minutes = useMemo(() => state.data?.minutes ?? [], [state.data]);
  const charts = useMemo(
    () => ({ logins: loginColumns(minutes), latency: latencyColumns(minutes), migration: migrationColumns(minutes) }),
    [minutes],
  );
  const spanLabel = WINDOWS.find((candidate) => candidate.value === span)?.label ?? span;
  const text = summaries(minutes, spanLabel);

  return (
    <>
      <div className="section-head">
        <p className="muted">Per minute, as counted by the server instance that answered (kept in its memory for a day).</p>
        <label>
          Window{' '}
          <select value={span} onChange={(event) => setSpan(event.target.value as StatsWindow)}>
            {WINDOWS.map((option) => (
              <option key={option.value} value={option.value}>
                Last {option.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={reload} disabled={state.status === 'loading'}>
          Refresh
        </button>
      </div>
      {state.status === 'error' && <ErrorMessage onRetry={reload}>{state.error}</ErrorMessage>}
      {state.data === undefined ? (
        state.status === 'loading' && <Loading />
      ) : (
        <>
          <section className="section card" aria-labelledby={`${id}-logins`}>
            <h2 id={`${id}-logins`}>Logins by outcome</h2>
            <p>{text.logins}</p>
            <div className="chart-with-table">
              <UPlotChart data={charts.logins} />
              <table>
                <caption>Logins in the last {spanLabel}</caption>
                <thead>
                  <tr>
                    <th scope="col">Outcome</th>
                    <th scope="col">Logins</th>
                  </tr>
                </thead>
                <tbody>
                  {loginTotals(minutes).map((total) => (
                    <tr key={total.outcome}>
                      <th scope="row">{total.label}</th>
                      <td>{total.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="section card" aria-labelledby={`${id}-latency`}>
            <h2 id={`${id}-latency`}>Script latency</h2>
            <p>{text.latency}</p>
            <div className="chart-with-table">
              <UPlotChart data={charts.latency} unit="ms" />
              <details>
                <summary>Minutes with script calls</summary>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Minute</th>
                      <th scope="col">Calls</th>
                      <th scope="col">p50</th>
                      <th scope="col">p99</th>
                    </tr>
                  </thead>
                  <tbody>
                    {busyMinutes(minutes).map((minute) => (
                      <tr key={minute.at}>
                        <th scope="row">{formatTime(minute.at)}</th>
                        <td>{minute.scriptCalls}</td>
                        <td>{formatMs(minute.latencyMs.p50)}</td>
                        <td>{formatMs(minute.latencyMs.p99)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </div>
          </section>

          <section className="section card" aria-labelledby={`${id}-migration`}>
            <h2 id={`${id}-migration`}>Migration progress</h2>
            <p>
              {text.migration} {state.data.migratedUsers} users have migrated in total.
            </p>
            <UPlotChart data={charts.migration} />
          </section>
        </>
      )}
    </>
  );
}
