import { useEffect, useId } from 'react';
import { api } from '../api/client.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { formatDuration, formatTime } from '../components/format.js';
import { SCRIPT_LABELS } from '../scripts.js';

const label = (script: string) => (script in SCRIPT_LABELS ? SCRIPT_LABELS[script as keyof typeof SCRIPT_LABELS] : script);

/** The recent script runs of this pool's connection, newest first. */
export function ConnectionLog({ poolId, refreshKey = 0 }: { poolId: string; refreshKey?: number }) {
  const id = useId();
  const { state, reload } = useAsync(() => api.logs(poolId, 50), [poolId]);
  useEffect(() => {
    if (refreshKey > 0) reload();
  }, [refreshKey, reload]);
  const list = state.data?.list;

  return (
    <section className="section card" aria-labelledby={`${id}-heading`}>
      <div className="section-head">
        <h2 id={`${id}-heading`}>Connection log</h2>
        <button type="button" className="secondary" onClick={reload} disabled={state.status === 'loading'}>
          Refresh log
        </button>
      </div>
      {state.status === 'error' && <ErrorMessage onRetry={reload}>{state.error}</ErrorMessage>}
      {list === undefined ? (
        state.status === 'loading' && <Loading />
      ) : list.length === 0 ? (
        <Empty>No script has run yet. Runs from logins, user operations and Debug appear here.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Recent script runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Script</th>
                <th scope="col">Outcome</th>
                <th scope="col">Duration</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {list.map((entry, index) => (
                <tr key={`${entry.at}-${String(index)}`}>
                  <td className="nowrap">{formatTime(entry.at)}</td>
                  <td>{label(entry.script)}</td>
                  <td>
                    <span className={entry.outcome === 'success' ? 'badge good' : entry.outcome === 'rejected' ? 'badge warn' : 'badge bad'}>
                      {entry.outcome}
                    </span>
                  </td>
                  <td className="nowrap">{formatDuration(entry.durationMs)}</td>
                  <td className="message">{entry.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
