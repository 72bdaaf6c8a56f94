import { useId, useState } from 'react';
import type { AuditEntry, AuditPage as AuditPageData } from '../api/types.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import { formatTime } from '../components/format.js';
import { useAsync } from '../components/useAsync.js';
import { adminApi } from './admin-api.js';
import { usePools } from './usePools.js';

const PAGE_SIZE = 25;

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** One field's change as a line: `field: before → after` (secrets arrive masked). */
function ChangeList({ changes }: { changes: AuditEntry['changes'] }) {
  const fields = Object.entries(changes);
  if (fields.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="uri-list">
      {fields.map(([field, change]) => (
        <li key={field}>
          <span className="mono">{field}</span>: {'from' in change ? show(change.from) : <span className="muted">(none)</span>} →{' '}
          {'to' in change ? show(change.to) : <span className="muted">(removed)</span>}
        </li>
      ))}
    </ul>
  );
}

/** Every admin change, newest first, filtered by pool: who did what, when, to what. */
export function AuditPage() {
  const id = useId();
  const pools = usePools();
  const [poolId, setPoolId] = useState('');
  const [page, setPage] = useState(1);
  const audit = useAsync<AuditPageData>(
    () => adminApi.audit({ page, limit: PAGE_SIZE, ...(poolId === '' ? {} : { poolId }) }),
    [page, poolId],
  );
  const data = audit.state.data;
  const pages = data ? Math.max(1, Math.ceil(data.totalCount / PAGE_SIZE)) : 1;
  return (
    <main className="page">
      <section aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Audit log</h1>
        <p className="help">Admin changes, newest first. Secrets read as ******** and scripts as their line count.</p>
        <div className="toolbar">
          <div className="field inline">
            <label htmlFor={`${id}-pool`}>Pool</label>
            <select
              id={`${id}-pool`}
              value={poolId}
              onChange={(event) => {
                setPoolId(event.target.value);
                setPage(1);
              }}
            >
              <option value="">All pools</option>
              {pools.list.map((pool) => (
                <option key={pool.id} value={pool.id}>
                  {pool.name}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="secondary" onClick={audit.reload}>
            Refresh
          </button>
        </div>

        <div aria-busy={audit.state.status === 'loading'}>
          {audit.state.status === 'error' && <ErrorMessage onRetry={audit.reload}>{audit.state.error}</ErrorMessage>}
          {data === undefined ? (
            audit.state.status === 'loading' && <Loading label="Loading the audit log…" />
          ) : data.list.length === 0 ? (
            <Empty>No admin changes recorded{poolId === '' ? '' : ' for this pool'}.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="users">
                <caption className="sr-only">Audit log</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Key</th>
                    <th scope="col">Action</th>
                    <th scope="col">Pool</th>
                    <th scope="col">Target</th>
                    <th scope="col">Changes</th>
                  </tr>
                </thead>
                <tbody>
                  {data.list.map((entry, index) => (
                    <tr key={`${entry.at}-${String(index)}`}>
                      <td className="nowrap">
                        <time dateTime={entry.at}>{formatTime(entry.at)}</time>
                      </td>
                      <td>{entry.actor.name}</td>
                      <td className="mono nowrap">{entry.action}</td>
                      <td>{entry.poolId === null ? <span className="muted">—</span> : pools.nameOf(entry.poolId)}</td>
                      <td>
                        {entry.target.type} <span className="mono">{entry.target.id}</span>
                      </td>
                      <td>
                        <ChangeList changes={entry.changes} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        {pages > 1 && (
          <nav className="pager" aria-label="Pages of the audit log">
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous page
            </button>
            <span aria-live="polite">
              Page {page} of {pages} · {data?.totalCount ?? 0} entries
            </span>
            <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Next page
            </button>
          </nav>
        )}
      </section>
    </main>
  );
}
