/**
 * Queries of the jobs table. A job is run under a lease: the instance named in
 * `lease_owner` may write its progress until `lease_expires_at`; after that, any instance
 * may take it over. Every lease change is one conditional statement, so two instances
 * racing for a job cannot both win, and no lock is held in any one instance's memory.
 * Times are ISO-8601 UTC text and compare correctly as text.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { JobsTable, StoreSchema } from './schema.js';
import type { Page } from '../domain/page.js';
import { MAX_JOB_ERRORS, type Job, type JobCounters, type JobError, type JobKind, type JobStatus } from '../domain/job.js';

/** A job as its runner sees it: the API's job and what the runner needs to go on with it. */
export interface StoredJob extends Job {
  poolId: string;
  cursor: string | null;
  cancelRequested: boolean;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
}

/** What a runner writes after each batch: the counters and errors so far (not deltas) and the cursor. */
export interface JobProgress extends JobCounters {
  total?: number;
  errors: JobError[];
  cursor: string | null;
}

export interface Lease {
  owner: string;
  /** ISO-8601 */
  until: string;
}

export type CreateJobOutcome = { ok: true; job: StoredJob } | { ok: false; running: StoredJob };

export interface JobsRepository {
  /** Starts a job under `lease`, unless one of the same kind already runs for the pool (then that one). */
  create(poolId: string, kind: JobKind, lease: Lease, total?: number): Promise<CreateJobOutcome>;
  get(poolId: string, id: string): Promise<StoredJob | undefined>;
  /** newest first */
  list(poolId: string, page: number, limit: number): Promise<Page<StoredJob>>;
  /** Saves progress and extends the lease, only while `lease.owner` holds it; undefined when it does not. */
  checkpoint(id: string, lease: Lease, progress: JobProgress): Promise<StoredJob | undefined>;
  /** Extends the lease while `lease.owner` holds it; undefined when it does not. */
  renew(id: string, lease: Lease): Promise<StoredJob | undefined>;
  /** Ends the job, only while `owner` holds its lease. */
  finish(id: string, owner: string, status: Exclude<JobStatus, 'running'>, progress: JobProgress): Promise<StoredJob | undefined>;
  /** Lets the lease run out now, so another instance can take the job over at once (a clean shutdown). */
  release(id: string, owner: string, now: string): Promise<void>;
  /** Takes over a running job whose lease expired by `now`; undefined when someone else holds it. */
  takeOver(id: string, lease: Lease, now: string): Promise<StoredJob | undefined>;
  /** Running jobs whose lease expired by `now`, on every pool. */
  listExpired(now: string): Promise<StoredJob[]>;
  /**
   * Asks a running job to stop. A job whose lease expired (its instance is gone) is
   * cancelled at once; a live one stops at its next batch. Undefined for an unknown job.
   */
  requestCancel(poolId: string, id: string, now: string): Promise<StoredJob | undefined>;
  /** Ends a job nobody holds (its lease expired by `now`) as failed, with `error` added. */
  failAbandoned(id: string, now: string, error: JobError): Promise<StoredJob | undefined>;
}

function toJob(row: JobsTable): StoredJob {
  const job: StoredJob = {
    id: row.id,
    kind: row.kind as JobKind,
    status: row.status as JobStatus,
    processed: Number(row.processed),
    created: Number(row.created),
    updated: Number(row.updated),
    skipped: Number(row.skipped),
    failed: Number(row.failed),
    errors: JSON.parse(row.errors) as JobError[],
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    poolId: row.pool_id,
    cursor: row.cursor,
    cancelRequested: Number(row.cancel_requested) === 1,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
  };
  if (row.total !== null) job.total = Number(row.total);
  return job;
}

function progressColumns(progress: JobProgress): Partial<JobsTable> {
  const columns: Partial<JobsTable> = {
    processed: progress.processed,
    created: progress.created,
    updated: progress.updated,
    skipped: progress.skipped,
    failed: progress.failed,
    errors: JSON.stringify(progress.errors),
    cursor: progress.cursor,
  };
  if (progress.total !== undefined) columns.total = progress.total;
  return columns;
}

export function jobsRepository(db: Kysely<StoreSchema>): JobsRepository {
  const held = (id: string, owner: string) =>
    db.updateTable('jobs').where('id', '=', id).where('status', '=', 'running').where('lease_owner', '=', owner);

  const repository: JobsRepository = {
    async create(poolId, kind, lease, total) {
      const now = new Date().toISOString();
      // The partial unique index jobs_one_running refuses a second running job of the
      // kind for the pool; "do nothing" turns that refusal into no row instead of an error.
      const row = await db
        .insertInto('jobs')
        .values({
          id: randomUUID(),
          pool_id: poolId,
          kind,
          status: 'running',
          total: total ?? null,
          processed: 0,
          created: 0,
          updated: 0,
          skipped: 0,
          failed: 0,
          errors: '[]',
          cursor: null,
          cancel_requested: 0,
          lease_owner: lease.owner,
          lease_expires_at: lease.until,
          started_at: now,
          finished_at: null,
          updated_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) return { ok: true, job: toJob(row) };
      const running = await db
        .selectFrom('jobs')
        .selectAll()
        .where('pool_id', '=', poolId)
        .where('kind', '=', kind)
        .where('status', '=', 'running')
        .executeTakeFirst();
      // It ended between the insert and this read: try again.
      if (!running) return repository.create(poolId, kind, lease, total);
      return { ok: false, running: toJob(running) };
    },
    async get(poolId, id) {
      const row = await db.selectFrom('jobs').selectAll().where('pool_id', '=', poolId).where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },
    async list(poolId, page, limit) {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('jobs')
          .selectAll()
          .where('pool_id', '=', poolId)
          .orderBy('started_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('pool_id', '=', poolId)
          .executeTakeFirstOrThrow(),
      ]);
      return { totalCount: Number(count.n), list: rows.map(toJob) };
    },
    async checkpoint(id, lease, progress) {
      const row = await held(id, lease.owner)
        .set({ ...progressColumns(progress), lease_expires_at: lease.until, updated_at: new Date().toISOString() })
        .returningAll()
        .executeTakeFirst();
      return row && toJob(row);
    },
    async renew(id, lease) {
      const row = await held(id, lease.owner)
        .set({ lease_expires_at: lease.until, updated_at: new Date().toISOString() })
        .returningAll()
        .executeTakeFirst();
      return row && toJob(row);
    },
    async finish(id, owner, status, progress) {
      const now = new Date().toISOString();
      const row = await held(id, owner)
        .set({ ...progressColumns(progress), status, finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null })
        .returningAll()
        .executeTakeFirst();
      return row && toJob(row);
    },
    async release(id, owner, now) {
      await held(id, owner).set({ lease_expires_at: now, updated_at: new Date().toISOString() }).execute();
    },
    async takeOver(id, lease, now) {
      const row = await db
        .updateTable('jobs')
        .set({ lease_owner: lease.owner, lease_expires_at: lease.until, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('lease_expires_at', '<=', now)
        .returningAll()
        .executeTakeFirst();
      return row && toJob(row);
    },
    async listExpired(now) {
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .where('status', '=', 'running')
        .where('lease_expires_at', '<=', now)
        .orderBy('started_at')
        .execute();
      return rows.map(toJob);
    },
    async requestCancel(poolId, id, now) {
      const expired = sql<boolean>`lease_expires_at <= ${now}`;
      const row = await db
        .updateTable('jobs')
        .set({
          cancel_requested: 1,
          status: sql<string>`case when ${expired} then 'cancelled' else status end`,
          finished_at: sql<string | null>`case when ${expired} then ${now} else finished_at end`,
          lease_owner: sql<string | null>`case when ${expired} then null else lease_owner end`,
          lease_expires_at: sql<string | null>`case when ${expired} then null else lease_expires_at end`,
          updated_at: now,
        })
        .where('pool_id', '=', poolId)
        .where('id', '=', id)
        .where('status', '=', 'running')
        .returningAll()
        .executeTakeFirst();
      return row ? toJob(row) : repository.get(poolId, id);
    },
    async failAbandoned(id, now, error) {
      return db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('jobs')
          .select('errors')
          .where('id', '=', id)
          .where('status', '=', 'running')
          .where('lease_expires_at', '<=', now)
          .executeTakeFirst();
        if (!current) return undefined;
        const errors = [...(JSON.parse(current.errors) as JobError[]), error].slice(0, MAX_JOB_ERRORS);
        const row = await trx
          .updateTable('jobs')
          .set({ status: 'failed', errors: JSON.stringify(errors), finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null })
          .where('id', '=', id)
          .where('status', '=', 'running')
          .where('lease_expires_at', '<=', now)
          .returningAll()
          .executeTakeFirst();
        return row && toJob(row);
      });
    },
  };
  return repository;
}
