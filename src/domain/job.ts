/**
 * Background jobs (bulk import, import the rest) as the API shows them. Their state
 * lives in the store, so any instance answers for a job another instance runs.
 */
export const JOB_KINDS = ['import', 'import-rest'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATUSES = ['running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** One thing that went wrong: a line of an import file, or a user of the old database. */
export interface JobError {
  /** 1-based line of the import file (the element's position in a JSON array) */
  line?: number;
  externalId?: string;
  message: string;
}

/**
 * A job keeps its first errors only, so a file of a million bad lines cannot grow one row
 * without bound; `failed` still counts every one.
 */
export const MAX_JOB_ERRORS = 1000;

export interface JobCounters {
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface Job extends JobCounters {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** known when the work can count it up front (a file's lines are not) */
  total?: number;
  errors: JobError[];
  startedAt: string;
  finishedAt: string | null;
}
