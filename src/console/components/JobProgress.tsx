import { useId } from 'react';
import type { Job } from '../api/types.js';
import { estimateRemaining, formatEta } from './import-eta.js';

/** How often a running job's progress is read again. */
export const JOB_POLL_MS = 1000;

/** "40 of 100 users read", or "40 users read" while the job does not know its total. */
export function usersRead(job: Job): string {
  return job.total === undefined ? `${job.processed} users read` : `${job.processed} of ${job.total} users read`;
}

/** How an ended job ended, as "The last import …" words it. */
export const ENDED: Record<Exclude<Job['status'], 'running'>, string> = {
  done: 'finished',
  failed: 'failed',
  cancelled: 'was cancelled',
};

interface JobProgressProps {
  job: Job;
  /** the progress bar's accessible name */
  label: string;
  /** the job's counts as this kind of job words them, after "N users read" */
  counts: string;
  busy: boolean;
  onCancel: () => void;
}

/** A running import job: its progress bar, counts and ETA, and the button that cancels it. */
export function JobProgress({ job, label, counts, busy, onCancel }: JobProgressProps) {
  const id = useId();
  const eta = estimateRemaining(job, Date.now());
  return (
    <div className="import-job">
      <label htmlFor={`${id}-bar`}>{label}</label>
      <progress id={`${id}-bar`} max={job.total ?? undefined} value={job.total === undefined ? undefined : job.processed} />
      <p role="status" data-testid="import-status">
        {`${usersRead(job)} · ${counts}`}
        {eta === null ? '' : ` · ${formatEta(eta)}`}
      </p>
      <button type="button" className="secondary" onClick={onCancel} aria-disabled={busy}>
        Cancel import
      </button>
    </div>
  );
}
