/**
 * Runs background jobs (bulk import, import the rest) in batches under a lease in the
 * store, so a kind of job runs once at a time per pool across every instance, its
 * progress is readable from any instance, and it survives a restart.
 *
 * A job's work drives itself: it does a batch, then calls `checkpoint`, which saves the
 * counters, errors and cursor and extends the lease in one statement. The runner renews
 * the lease between batches too, and stops the work (its `signal`) when the job is
 * cancelled or its lease was lost. Every `leaseMs` (and once at start) it looks for
 * running jobs whose lease expired — their instance crashed or stopped — and takes them
 * over: kinds that can resume from their cursor go on; the others are marked failed.
 */
import { randomUUID } from 'node:crypto';
import { MAX_JOB_ERRORS, type Job, type JobCounters, type JobError, type JobKind } from '../domain/job.js';
import type { Page } from '../domain/page.js';
import { fail, ok, type Result } from '../domain/result.js';
import type { JobProgress, JobsRepository, StoredJob } from '../store/jobs.js';

/** What one batch did: counts to add, errors to report, and where the work goes on from. */
export interface Batch {
  processed?: number;
  created?: number;
  updated?: number;
  skipped?: number;
  failed?: number;
  errors?: JobError[];
  /** saved as the job's cursor (opaque to the runner); leave out to keep the current one */
  cursor?: string | null;
  /** the job's size, once known */
  total?: number;
}

export interface JobContext {
  /** the job as this run of it started: `cursor` is where a resumed job goes on from */
  readonly job: StoredJob;
  /** aborted when the job is cancelled, its lease is lost or the runner closes */
  readonly signal: AbortSignal;
  /** Saves a batch's progress. False: stop now (cancelled, lease lost, closing). */
  checkpoint(batch: Batch): Promise<boolean>;
}

/** A job's work. It returns when done; it throws when the job failed as a whole. */
export type JobWork = (context: JobContext) => Promise<void>;

export interface JobKindHandler {
  /**
   * The work that goes on with a job another instance left behind (from `job.cursor`).
   * Kinds without one (an import whose upload died with its instance) are marked failed.
   */
  resume?: (job: StoredJob) => Promise<JobWork>;
}

export interface JobRunnerLog {
  error(details: object, message: string): void;
}

export interface JobRunnerOptions {
  jobs: JobsRepository;
  log: JobRunnerLog;
  /** how long a lease lasts without renewal; another instance takes a job over after it (default 30 s) */
  leaseMs?: number;
  /** the lease clock (tests move it); Date.now by default */
  now?: () => number;
  /** this runner's name in `lease_owner`; a random one by default */
  owner?: string;
}

export interface JobRunner {
  register(kind: JobKind, handler: JobKindHandler): void;
  /** Starts `work` as a new job, unless a job of this kind already runs for the pool (409 JOB_RUNNING). */
  start(poolId: string, kind: JobKind, work: JobWork, options?: { total?: number }): Promise<Result<Job, 'JOB_RUNNING'>>;
  get(poolId: string, jobId: string): Promise<Job | undefined>;
  list(poolId: string, page: number, limit: number): Promise<Page<Job>>;
  /**
   * Cancels a running job (a finished one is answered as it is). When this instance runs
   * it, the answer waits (a few seconds at most) for the work to stop, so it usually says
   * `cancelled`; elsewhere, the job stops at its next batch.
   */
  cancel(poolId: string, jobId: string): Promise<Job | undefined>;
  /** Takes over and resumes (or fails) running jobs whose lease expired. */
  resumeExpired(): Promise<void>;
  /** Resolves when the job, if this instance runs it, has stopped. */
  settled(jobId: string): Promise<void>;
  /**
   * Stops every job this instance runs. By default their leases are released so another
   * instance goes on at once; `{ release: false }` leaves them as a crash would.
   */
  close(options?: { release?: boolean }): Promise<void>;
}

const DEFAULT_LEASE_MS = 30_000;
/** How long a cancel request waits for local work to stop before answering. */
const CANCEL_WAIT_MS = 5_000;

type StopReason = 'cancelled' | 'lease-lost' | 'closing';

interface LocalJob {
  controller: AbortController;
  stopReason: StopReason | undefined;
  done: Promise<void>;
}

/** The API's view of a stored job: no pool, cursor or lease. */
export function publicJob(job: StoredJob): Job {
  const shown: Job = {
    id: job.id,
    kind: job.kind,
    status: job.status,
    processed: job.processed,
    created: job.created,
    updated: job.updated,
    skipped: job.skipped,
    failed: job.failed,
    errors: job.errors,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
  if (job.total !== undefined) shown.total = job.total;
  return shown;
}

function progressOf(job: StoredJob): JobProgress {
  const progress: JobProgress = {
    processed: job.processed,
    created: job.created,
    updated: job.updated,
    skipped: job.skipped,
    failed: job.failed,
    errors: [...job.errors],
    cursor: job.cursor,
  };
  if (job.total !== undefined) progress.total = job.total;
  return progress;
}

const COUNTERS: readonly (keyof JobCounters)[] = ['processed', 'created', 'updated', 'skipped', 'failed'];

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { jobs, log } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const now = options.now ?? Date.now;
  const owner = options.owner ?? `runner-${randomUUID()}`;
  const handlers = new Map<JobKind, JobKindHandler>();
  const running = new Map<string, LocalJob>();
  let closed = false;

  const lease = () => ({ owner, until: new Date(now() + leaseMs).toISOString() });
  const nowIso = () => new Date(now()).toISOString();

  /** Runs `work` for a job this runner holds the lease of, until it ends or is stopped. */
  function run(job: StoredJob, work: JobWork): void {
    const controller = new AbortController();
    const progress = progressOf(job);
    const local: LocalJob = { controller, stopReason: undefined, done: Promise.resolve() };
    const stop = (reason: StopReason) => {
      local.stopReason ??= reason;
      controller.abort();
    };
    // The lease is renewed between batches too, so a slow batch does not lose it.
    const heartbeat = setInterval(() => {
      jobs.renew(job.id, lease()).then(
        (renewed) => {
          if (!renewed) stop('lease-lost');
          else if (renewed.cancelRequested) stop('cancelled');
        },
        (error: unknown) => log.error({ err: error, jobId: job.id }, 'job lease renewal failed'),
      );
    }, Math.max(10, Math.floor(leaseMs / 3)));
    heartbeat.unref();

    const context: JobContext = {
      job,
      signal: controller.signal,
      async checkpoint(batch) {
        if (controller.signal.aborted) return false;
        for (const counter of COUNTERS) progress[counter] += batch[counter] ?? 0;
        for (const error of batch.errors ?? []) {
          if (progress.errors.length >= MAX_JOB_ERRORS) break;
          progress.errors.push(error);
        }
        if (batch.cursor !== undefined) progress.cursor = batch.cursor;
        if (batch.total !== undefined) progress.total = batch.total;
        const saved = await jobs.checkpoint(job.id, lease(), progress);
        if (!saved) stop('lease-lost');
        else if (saved.cancelRequested) stop('cancelled');
        return !controller.signal.aborted;
      },
    };

    const finish = async () => {
      let failure: unknown;
      try {
        await work(context);
      } catch (error) {
        failure = error;
      } finally {
        clearInterval(heartbeat);
      }
      const reason = local.stopReason;
      if (reason === 'lease-lost') return;
      if (reason === 'closing') {
        if (closeReleases) await jobs.release(job.id, owner, nowIso());
        return;
      }
      if (reason === 'cancelled') {
        await jobs.finish(job.id, owner, 'cancelled', progress);
      } else if (failure !== undefined) {
        if (progress.errors.length < MAX_JOB_ERRORS) progress.errors.push({ message: failureMessage(failure) });
        log.error({ err: failure, jobId: job.id, kind: job.kind }, 'job failed');
        await jobs.finish(job.id, owner, 'failed', progress);
      } else {
        await jobs.finish(job.id, owner, 'done', progress);
      }
    };
    local.done = finish()
      .catch((error: unknown) => log.error({ err: error, jobId: job.id }, 'job could not record its end'))
      .finally(() => running.delete(job.id));
    running.set(job.id, local);
  }

  let closeReleases = true;
  let sweeping: Promise<void> | undefined;
  const sweepTimer = setInterval(() => void runner.resumeExpired(), leaseMs);
  sweepTimer.unref();

  const runner: JobRunner = {
    register(kind, handler) {
      handlers.set(kind, handler);
    },
    async start(poolId, kind, work, startOptions = {}) {
      const outcome = await jobs.create(poolId, kind, lease(), startOptions.total);
      if (!outcome.ok) {
        return fail('JOB_RUNNING', `A ${kind} job already runs for this pool: ${outcome.running.id}`);
      }
      run(outcome.job, work);
      return ok(publicJob(outcome.job));
    },
    async get(poolId, jobId) {
      const job = await jobs.get(poolId, jobId);
      return job && publicJob(job);
    },
    async list(poolId, page, limit) {
      const listed = await jobs.list(poolId, page, limit);
      return { totalCount: listed.totalCount, list: listed.list.map(publicJob) };
    },
    async cancel(poolId, jobId) {
      const job = await jobs.requestCancel(poolId, jobId, nowIso());
      if (!job) return undefined;
      const local = running.get(jobId);
      if (!local) return publicJob(job);
      local.stopReason ??= 'cancelled';
      local.controller.abort();
      await Promise.race([local.done, new Promise((resolve) => setTimeout(resolve, CANCEL_WAIT_MS).unref())]);
      return runner.get(poolId, jobId);
    },
    resumeExpired() {
      // One sweep at a time in this instance; other instances race through takeOver.
      sweeping ??= (async () => {
        try {
          for (const expired of await jobs.listExpired(nowIso())) {
            if (closed) return;
            await adopt(expired);
          }
        } catch (error) {
          log.error({ err: error }, 'resuming expired jobs failed');
        } finally {
          sweeping = undefined;
        }
      })();
      return sweeping;
    },
    async settled(jobId) {
      await running.get(jobId)?.done;
    },
    async close(closeOptions = {}) {
      closed = true;
      closeReleases = closeOptions.release ?? true;
      clearInterval(sweepTimer);
      await sweeping;
      for (const local of running.values()) {
        local.stopReason ??= 'closing';
        local.controller.abort();
      }
      await Promise.all([...running.values()].map((local) => local.done));
    },
  };

  async function adopt(expired: StoredJob): Promise<void> {
    const resume = handlers.get(expired.kind)?.resume;
    if (!resume) {
      await jobs.failAbandoned(expired.id, nowIso(), {
        message: 'The instance running this job stopped before it finished; run it again (imports are idempotent).',
      });
      return;
    }
    const job = await jobs.takeOver(expired.id, lease(), nowIso());
    if (!job) return;
    if (job.cancelRequested) {
      await jobs.finish(job.id, owner, 'cancelled', progressOf(job));
      return;
    }
    let work: JobWork;
    try {
      work = await resume(job);
    } catch (error) {
      work = () => Promise.reject(error);
    }
    run(job, work);
  }

  return runner;
}

/** A failure's message for the job's errors: our own errors' text; never a stack. */
function failureMessage(failure: unknown): string {
  return failure instanceof Error ? failure.message : 'The job failed';
}
