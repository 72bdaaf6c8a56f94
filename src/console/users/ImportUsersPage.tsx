import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { ImportContentType, Job } from '../api/types.js';
import { ENDED, JOB_POLL_MS, JobProgress, usersRead } from '../components/JobProgress.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import { formatTime } from '../components/format.js';
import { useAsync } from '../components/useAsync.js';

const RECENT_JOBS = 10;

/** The body type the import endpoint reads a file as, from the file's name; null when it reads neither. */
export function importContentType(fileName: string): ImportContentType | null {
  const name = fileName.toLowerCase();
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'application/x-ndjson';
  if (name.endsWith('.json')) return 'application/json';
  return null;
}

const JOB_COLUMNS = ['Started', 'Kind', 'Status', 'Processed', 'Created', 'Updated', 'Skipped', 'Failed'];
const KIND: Record<Job['kind'], string> = { import: 'File import', 'import-rest': 'Import the rest' };
const STATUS: Record<Job['status'], string> = { running: 'Running', done: 'Done', failed: 'Failed', cancelled: 'Cancelled' };

/**
 * Bulk import from a file (NDJSON or a JSON array, sent as it is to POST …/users/import): the
 * job's progress and counts while it runs, its per-line errors, and the pool's recent jobs.
 */
export function ImportUsersPage({ poolId }: { poolId: string }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [shownJobId, setShownJobId] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  // Bumped after a failed read so that a running job is read again despite the error.
  const [retries, setRetries] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const jobs = useAsync(() => api.listJobs(poolId, 1, RECENT_JOBS), [poolId]);
  const reloadJobs = jobs.reload;

  // The shown job is read at once, then every second while it runs.
  const current = job !== null && job.id === shownJobId ? job : null;
  const ended = current !== null && current.status !== 'running';
  useEffect(() => {
    if (shownJobId === null || ended) return undefined;
    let stale = false;
    const timer = setTimeout(
      () => {
        api.getJob(poolId, shownJobId).then(
          (next) => {
            if (stale) return;
            setJob(next);
            setError(null);
          },
          (failure: unknown) => {
            if (stale) return;
            setError(`Could not read the import's progress: ${errorMessage(failure)}`);
            setRetries((count) => count + 1);
          },
        );
      },
      current === null ? 0 : JOB_POLL_MS,
    );
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [poolId, shownJobId, current, ended, retries]);

  // A job that has just ended changes the list's counts and status.
  useEffect(() => {
    if (ended) reloadJobs();
  }, [ended, reloadJobs]);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (file === null) {
      setError('File of users: choose a .ndjson, .jsonl or .json file first.');
      return;
    }
    const contentType = importContentType(file.name);
    if (contentType === null) {
      setError(`File of users: ${file.name} is neither NDJSON (.ndjson, .jsonl) nor a JSON array (.json).`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const started = await api.importUsers(poolId, file, contentType);
      setJob(null);
      setShownJobId(started.jobId);
      reloadJobs();
    } catch (failure) {
      setError(`Could not start the import: ${errorMessage(failure)}`);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (running: Job) => {
    if (busy) return;
    setBusy(true);
    try {
      setJob(await api.cancelJob(poolId, running.id));
    } catch (failure) {
      setError(`Could not cancel the import: ${errorMessage(failure)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section className="section card" aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`}>Import users</h2>
        <form onSubmit={(event) => void start(event)}>
          <label htmlFor={`${id}-file`}>File of users</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".ndjson,.jsonl,.json,application/x-ndjson,application/json"
            aria-describedby={`${id}-file-help`}
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
          <p className="help" id={`${id}-file-help`}>
            NDJSON (one user a line) or a JSON array: our fields or Auth0 export lines. Re-importing updates users by
            externalId, else email, and never duplicates them.
          </p>
          <div className="actions">
            <button type="submit" className="primary" aria-disabled={busy}>
              Import
            </button>
          </div>
        </form>
        {error && <ErrorMessage>{error}</ErrorMessage>}
        {shownJobId !== null && current === null && <Loading label="Reading the import's progress…" />}
        {current !== null && <ShownJob job={current} busy={busy} onCancel={() => void cancel(current)} />}
      </section>
      <section className="section card" aria-labelledby={`${id}-jobs-heading`}>
        <div className="section-head">
          <h2 id={`${id}-jobs-heading`}>Recent import jobs</h2>
          <button type="button" className="secondary" onClick={reloadJobs} disabled={jobs.state.status === 'loading'}>
            Refresh jobs
          </button>
        </div>
        {jobs.state.status === 'error' && <ErrorMessage onRetry={reloadJobs}>{jobs.state.error}</ErrorMessage>}
        {jobs.state.data === undefined ? (
          jobs.state.status === 'loading' && <Loading />
        ) : jobs.state.data.list.length === 0 ? (
          <Empty>No import has run in this pool yet.</Empty>
        ) : (
          <table>
            <caption className="sr-only">The pool's most recent import jobs, newest first</caption>
            <thead>
              <tr>
                {JOB_COLUMNS.map((column) => (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ))}
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {jobs.state.data.list.map((listed) => (
                <tr key={listed.id}>
                  <td>{formatTime(listed.startedAt)}</td>
                  <td>{KIND[listed.kind]}</td>
                  <td>{STATUS[listed.status]}</td>
                  <td>{listed.processed}</td>
                  <td>{listed.created}</td>
                  <td>{listed.updated}</td>
                  <td>{listed.skipped}</td>
                  <td>{listed.failed}</td>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Show the job started ${formatTime(listed.startedAt)}`}
                      onClick={() => {
                        setError(null);
                        setJob(listed);
                        setShownJobId(listed.id);
                      }}
                    >
                      Show
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function ShownJob({ job, busy, onCancel }: { job: Job; busy: boolean; onCancel: () => void }) {
  const counts = `${job.created} created · ${job.updated} updated · ${job.skipped} skipped · ${job.failed} failed`;
  return (
    <>
      {job.status === 'running' ? (
        <JobProgress job={job} label="Importing users" counts={counts} busy={busy} onCancel={onCancel} />
      ) : (
        <p role="status" data-testid="import-status">
          {`The import ${ENDED[job.status]} ${formatTime(job.finishedAt)}: ${usersRead(job)} · ${counts}`}
        </p>
      )}
      {job.errors.length > 0 && <JobErrors job={job} />}
    </>
  );
}

function JobErrors({ job }: { job: Job }) {
  return (
    <table>
      <caption>
        {job.failed > job.errors.length ? `Errors (the first ${job.errors.length} of ${job.failed})` : 'Errors'}
      </caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">External ID</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {job.errors.map((lineError, index) => (
          <tr key={index}>
            <td>{lineError.line ?? ''}</td>
            <td>{lineError.externalId ?? ''}</td>
            <td>{lineError.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
