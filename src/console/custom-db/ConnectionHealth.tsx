import { useEffect, useId } from 'react';
import { api } from '../api/client.js';
import type { ConnectionHealth as Health } from '../api/types.js';
import { ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../components/format.js';

const CIRCUIT_TEXT: Record<Health['circuit'], string> = {
  closed: 'Closed: calls go through',
  open: 'Open: script calls answer 503 until the cooldown ends',
  'half-open': 'Half-open: the next call probes the database',
};

/** The connection's circuit breaker and calls in flight, as the server instance that answers sees them. */
export function ConnectionHealth({ poolId, refreshKey = 0 }: { poolId: string; refreshKey?: number }) {
  const id = useId();
  const { state, reload } = useAsync(() => api.customDbHealth(poolId), [poolId]);
  useEffect(() => {
    if (refreshKey > 0) reload();
  }, [refreshKey, reload]);

  return (
    <section className="section card" aria-labelledby={`${id}-heading`}>
      <div className="section-head">
        <h2 id={`${id}-heading`}>Connection health</h2>
        <button type="button" className="secondary" onClick={reload} disabled={state.status === 'loading'}>
          Refresh health
        </button>
      </div>
      {state.status === 'error' && <ErrorMessage onRetry={reload}>{state.error}</ErrorMessage>}
      {state.data === undefined ? (
        state.status === 'loading' && <Loading />
      ) : (
        <>
          <dl className="stats">
            <div>
              <dt>Circuit</dt>
              <dd data-testid="circuit" className={`circuit-${state.data.circuit}`}>
                {CIRCUIT_TEXT[state.data.circuit]}
              </dd>
            </div>
            <div>
              <dt>Calls in flight</dt>
              <dd data-testid="in-flight">{state.data.inFlight}</dd>
            </div>
            <div>
              <dt>Consecutive failures</dt>
              <dd>{state.data.consecutiveFailures}</dd>
            </div>
            {state.data.openedAt !== null && (
              <div>
                <dt>Opened at</dt>
                <dd className="small">{formatTime(state.data.openedAt)}</dd>
              </div>
            )}
          </dl>
          <p className="help">As seen by the server instance that answered; each instance keeps its own circuit.</p>
        </>
      )}
    </section>
  );
}
