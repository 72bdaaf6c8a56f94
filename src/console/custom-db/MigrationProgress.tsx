import { useEffect, useId } from 'react';
import { api } from '../api/client.js';
import { ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../components/format.js';

/** How many users lazy migration has copied in so far, and when the last one came. */
export function MigrationProgress({ poolId, refreshKey = 0 }: { poolId: string; refreshKey?: number }) {
  const id = useId();
  const { state, reload } = useAsync(() => api.migration(poolId), [poolId]);
  useEffect(() => {
    if (refreshKey > 0) reload();
  }, [refreshKey, reload]);

  return (
    <section className="section card" aria-labelledby={`${id}-heading`}>
      <div className="section-head">
        <h2 id={`${id}-heading`}>Migration progress</h2>
        <button type="button" className="secondary" onClick={reload} disabled={state.status === 'loading'}>
          Refresh progress
        </button>
      </div>
      {state.status === 'error' && <ErrorMessage onRetry={reload}>{state.error}</ErrorMessage>}
      {state.data === undefined ? (
        state.status === 'loading' && <Loading />
      ) : (
        <dl className="stats">
          <div>
            <dt>Migrated users</dt>
            <dd data-testid="migrated-users">{state.data.migratedUsers}</dd>
          </div>
          <div>
            <dt>Last migration</dt>
            <dd className="small">{state.data.lastMigratedAt ? formatTime(state.data.lastMigratedAt) : 'No user has migrated yet'}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
