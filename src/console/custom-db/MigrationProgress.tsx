import { useEffect, useId, useState } from 'react';
import { api, errorMessage, type Tagged } from '../api/client.js';
import type { CustomDatabase, Job } from '../api/types.js';
import { ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../components/format.js';
import { ENDED, JOB_POLL_MS, JobProgress } from '../components/JobProgress.js';

interface MigrationProgressProps {
  poolId: string;
  refreshKey?: number;
  /** an enabled lazy migration whose saved connection has an `exportUsers` script: the rest can be imported */
  canImport: boolean;
  /** after "Finish migration" switched the connection off, with the connection as saved */
  /** the connection as saved switched off, with its new ETag */
  onFinished: (saved: Tagged<CustomDatabase>) => void;
}

/**
 * Lazy migration's progress: users migrated by their logins, imported by "Import the rest",
 * and still only in the old database; the import job's progress bar, counts and ETA while
 * it runs; and, once nothing is left, "Finish migration", which switches the connection off.
 */
export function MigrationProgress({ poolId, refreshKey = 0, canImport, onFinished }: MigrationProgressProps) {
  const id = useId();
  const { state, reload } = useAsync(() => api.migration(poolId), [poolId]);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (refreshKey > 0) reload();
  }, [refreshKey, reload]);

  const progress = state.data;
  const active = progress?.activeJob ?? null;
  // While a job runs, its progress is read again every second (from any instance's store).
  useEffect(() => {
    if (active === null) return undefined;
    const timer = setTimeout(reload, JOB_POLL_MS);
    return () => clearTimeout(timer);
  }, [active, reload]);

  const act = async (action: () => Promise<unknown>) => {
    if (busy) return;
    setBusy(true);
    setActionError(null);
    try {
      await action();
      reload();
    } catch (error) {
      setActionError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const finish = () =>
    act(async () => {
      const confirmed = window.confirm(
        'Finish the migration? The custom database connection is switched off: every user signs in with Gatehouse alone and the old database is no longer called. Its settings and scripts are kept.',
      );
      if (!confirmed) return;
      onFinished(await api.saveCustomDbIfMatch(poolId, { enabled: false }, null));
    });

  return (
    <section className="section card" aria-labelledby={`${id}-heading`}>
      <div className="section-head">
        <h2 id={`${id}-heading`}>Migration progress</h2>
        <button type="button" className="secondary" onClick={reload} disabled={state.status === 'loading'}>
          Refresh progress
        </button>
      </div>
      {state.status === 'error' && <ErrorMessage onRetry={reload}>{state.error}</ErrorMessage>}
      {progress === undefined ? (
        state.status === 'loading' && <Loading />
      ) : (
        <>
          <dl className="stats">
            <div>
              <dt>Migrated users</dt>
              <dd data-testid="migrated-users">{progress.migratedUsers}</dd>
            </div>
            <div>
              <dt>Imported users</dt>
              <dd data-testid="imported-users">{progress.importedUsers}</dd>
            </div>
            <div>
              <dt>Still only in the old database</dt>
              <dd data-testid="remaining-users" className={progress.remainingUsers === null ? 'small' : undefined}>
                {progress.remainingUsers ?? 'Not counted yet'}
              </dd>
            </div>
            <div>
              <dt>Last migration</dt>
              <dd className="small">{progress.lastMigratedAt ? formatTime(progress.lastMigratedAt) : 'No user has migrated yet'}</dd>
            </div>
          </dl>
          {active !== null ? (
            <JobProgress
              job={active}
              label="Importing the rest"
              counts={`${active.created} created · ${active.skipped} already here · ${active.failed} failed`}
              busy={busy}
              onCancel={() => void act(() => api.cancelJob(poolId, active.id))}
            />
          ) : (
            <>
              {progress.lastJob !== null && <LastImport job={progress.lastJob} />}
              <div className="actions">
                {progress.remainingUsers === 0 ? (
                  <button type="button" className="primary" onClick={() => void finish()} aria-disabled={busy}>
                    Finish migration
                  </button>
                ) : (
                  <button
                    type="button"
                    className="primary"
                    onClick={() => void act(() => api.importRest(poolId))}
                    disabled={!canImport}
                    aria-disabled={busy}
                    aria-describedby={`${id}-import-help`}
                  >
                    Import the rest
                  </button>
                )}
              </div>
              <p className="help" id={`${id}-import-help`}>
                {progress.remainingUsers === 0
                  ? 'Every user of the old database is in Gatehouse now. Finishing switches the connection off.'
                  : canImport
                    ? 'Copies every user not migrated yet, with the password hash the old database has, through the Export users script.'
                    : 'Needs an enabled lazy migration with a saved Export users script (every template has one).'}
              </p>
            </>
          )}
          {actionError && <ErrorMessage>{actionError}</ErrorMessage>}
        </>
      )}
    </section>
  );
}

function LastImport({ job }: { job: Job }) {
  if (job.status === 'running') return null;
  return (
    <div className="import-job">
      <p data-testid="last-import">
        The last import {ENDED[job.status]} {formatTime(job.finishedAt)}: {job.created} created, {job.skipped} already here,{' '}
        {job.failed} failed.
      </p>
      {job.errors.length > 0 && (
        <ul className="small">
          {job.errors.slice(0, 10).map((error, index) => (
            <li key={index}>
              {error.externalId === undefined ? '' : `User ${error.externalId}: `}
              {error.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
