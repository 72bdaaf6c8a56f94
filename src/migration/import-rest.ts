/**
 * Finishing a lazy migration: "import the rest". A job of kind `import-rest` pages through
 * the old database with the connection's `exportUsers` script (keyset paging, the script's
 * own cursor) and creates every user that is not local yet and was not deleted, with the
 * password hash it had there (users/legacy-import.ts holds the per-user rule and its race
 * contract with first logins).
 *
 * The job runs under the jobs runner's lease in the store: once at a time per pool on every
 * instance, cancellable, and resumed by another instance (or this one after a restart) from
 * the cursor saved with each page's counters. A page interrupted by a crash is read again;
 * its users that were created already are then counted as skipped, never created twice.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { Job, JobError } from '../domain/job.js';
import type { Pool } from '../domain/pool.js';
import type { StoredPassword } from '../domain/password.js';
import type { PoolsRepository } from '../store/pools.js';
import type { UsersRepository } from '../store/users.js';
import type { CustomDbService, MigrationProgress } from '../custom-db/custom-db-service.js';
import { userFromProfile } from '../custom-db/profile.js';
import { isTypedErrorName, notImplementedFailure } from '../custom-db/contract/script-contract.js';
import { parsePasswordHash } from '../passwords/parse-password-hash.js';
import { importLegacyUser } from '../users/legacy-import.js';
import type { Batch, JobContext, JobRunner, JobWork } from '../jobs/runner.js';

/** Users asked of `exportUsers` per call: one checkpoint (one store write) per page. */
export const DEFAULT_EXPORT_PAGE_SIZE = 100;

/** A page whose exportUsers call failed transiently is tried again after these pauses, then the job fails. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 3000, 10_000];

/** Waits `ms`, or less when the job is stopped: false then. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stopped);
      resolve(true);
    }, ms);
    const stopped = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', stopped, { once: true });
  });
}

/** Where the job stands, as saved in the job's cursor column. */
type Position = { state: 'start' } | { state: 'after'; cursor: string | number } | { state: 'finished' };

/**
 * The job's cursor column holds the script's cursor as JSON, so a number stays a number;
 * `null` (JSON) marks a job that read its last page and only has its end left to record.
 */
function positionOf(stored: string | null): Position {
  if (stored === null) return { state: 'start' };
  const cursor = JSON.parse(stored) as string | number | null;
  return cursor === null ? { state: 'finished' } : { state: 'after', cursor };
}

interface ExportedPage {
  list: Record<string, unknown>[];
  nextCursor: string | number | null;
  totalCount?: number | null;
}

export interface ImportRestDependencies {
  pools: PoolsRepository;
  users: UsersRepository;
  customDb: Pick<CustomDbService, 'getMasked' | 'scriptsFor' | 'migration'>;
  jobs: Pick<JobRunner, 'register' | 'start' | 'list'>;
  pageSize?: number;
  /** pauses before each retry of a page whose call failed like a busy database does */
  retryDelaysMs?: readonly number[];
}

/** `GET …/custom-db/migration`: lazy migration's progress and the rest still to import. */
export interface MigrationOverview extends MigrationProgress {
  /** users with `source: "imported"` */
  importedUsers: number;
  /** how many users the old database held, as `exportUsers` last counted them (null: never counted) */
  legacyTotal: number | null;
  /**
   * Users of the old database that are neither migrated, imported nor deleted here, worked
   * out from `legacyTotal` (null without it); 0 means the migration can be finished.
   */
  remainingUsers: number | null;
  /** the import-rest job running now, on any instance */
  activeJob: Job | null;
  /** the newest import-rest job, running or ended */
  lastJob: Job | null;
}

export type ImportRestRefusal = 'VALIDATION_ERROR' | 'SCRIPT_NOT_IMPLEMENTED' | 'JOB_RUNNING';

export interface ImportRest {
  /**
   * Starts the job. Refused with VALIDATION_ERROR when the pool has no enabled lazy
   * migration, SCRIPT_NOT_IMPLEMENTED when its connection has no `exportUsers`, and
   * JOB_RUNNING (naming that job) while one runs for the pool.
   */
  start(pool: Pool): Promise<Result<Job, ImportRestRefusal>>;
  overview(poolId: string): Promise<MigrationOverview>;
}

/** How many of the pool's newest jobs are looked through for its newest import-rest job. */
const JOBS_LOOKED_AT = 100;

export function importRest({
  pools,
  users,
  customDb,
  jobs,
  pageSize = DEFAULT_EXPORT_PAGE_SIZE,
  retryDelaysMs = DEFAULT_RETRY_DELAYS_MS,
}: ImportRestDependencies): ImportRest {
  /** One exported record: its hash checked, then created unless it is already here or deleted. */
  async function importRecord(poolId: string, record: Record<string, unknown>, batch: Required<Pick<Batch, 'created' | 'skipped' | 'failed'>> & { errors: JobError[] }): Promise<void> {
    const profile = userFromProfile(record, poolId, 'imported');
    let password: StoredPassword | null = null;
    const given = record['passwordHash'];
    if (given !== undefined && given !== null) {
      const parsed = parsePasswordHash(given, 'passwordHash');
      if (!parsed.ok) {
        // Not half-imported: this user stays in the old database, where a login still migrates it.
        batch.failed += 1;
        batch.errors.push({ externalId: profile.id, message: parsed.error.message });
        return;
      }
      password = parsed.value;
    }
    const outcome = await importLegacyUser(users, poolId, profile, password);
    if (outcome.status === 'created') batch.created += 1;
    else if (outcome.status === 'skipped') batch.skipped += 1;
    else {
      batch.failed += 1;
      batch.errors.push({ externalId: profile.id, message: outcome.message });
    }
  }

  /**
   * One page of the old database. The pool's connection is read afresh for each page, so a
   * save (or switching it off) takes effect at once. A call that fails the way a busy or
   * restarting database does (a throw, a timeout) is tried again after a pause, a few
   * times, before the job fails: a burst of first logins on the same connection must not
   * end an import of millions. A script that is wrong (a malformed result, a denied
   * module) fails at once.
   */
  async function exportPage(pool: Pool, position: Position, signal: AbortSignal): Promise<ExportedPage | null> {
    const cursor = position.state === 'after' ? position.cursor : null;
    for (let attempt = 1; ; attempt += 1) {
      const connection = await customDb.scriptsFor(pool);
      if (connection === null || connection.mode !== 'LAZY_MIGRATION') {
        throw new Error('The custom database was switched off or out of lazy migration mode: the import stopped');
      }
      const outcome = await connection.scripts.call('exportUsers', [cursor, pageSize]);
      if (outcome.ok) return checkedPage(outcome.result as ExportedPage, cursor);
      const transient = outcome.error.kind === 'timeout' || (outcome.error.kind === 'runtime' && !isTypedErrorName(outcome.error.name));
      if (!transient || attempt >= retryDelaysMs.length + 1) {
        // The connection's log has the script's own message; the job says what kind of failure it was.
        throw new Error(
          `The Export users script failed (${outcome.error.kind}: ${outcome.error.name})${attempt > 1 ? ` ${attempt} times` : ''}; the connection's log has the details`,
        );
      }
      if (!(await pause(retryDelaysMs[attempt - 1] ?? 0, signal))) return null;
    }
  }

  function checkedPage(page: ExportedPage, cursor: string | number | null): ExportedPage {
    if (page.nextCursor !== null && page.nextCursor === cursor) {
      throw new Error('The Export users script answered the cursor it was given as the next one: it would never end');
    }
    return page;
  }

  function workFor(poolId: string): JobWork {
    return async (context: JobContext) => {
      const pool = await pools.get(poolId);
      if (!pool) throw new Error('The pool no longer exists');
      let position = positionOf(context.job.cursor);
      while (position.state !== 'finished') {
        if (context.signal.aborted) return;
        const page = await exportPage(pool, position, context.signal);
        if (page === null) return;
        const batch = { processed: page.list.length, created: 0, skipped: 0, failed: 0, errors: [] as JobError[] };
        // A page is finished once begun (at most `pageSize` users), so a cancel or a lost
        // lease lands between users' creations, never in the middle of one.
        for (const record of page.list) await importRecord(poolId, record, batch);
        const total = typeof page.totalCount === 'number' ? { total: page.totalCount } : {};
        const saved = await context.checkpoint({ ...batch, ...total, cursor: JSON.stringify(page.nextCursor) });
        if (!saved) return;
        position = page.nextCursor === null ? { state: 'finished' } : { state: 'after', cursor: page.nextCursor };
      }
    };
  }

  jobs.register('import-rest', { resume: async (job) => workFor(job.poolId) });

  async function importRestJobs(poolId: string): Promise<Job[]> {
    const listed = await jobs.list(poolId, 1, JOBS_LOOKED_AT);
    return listed.list.filter((job) => job.kind === 'import-rest');
  }

  return {
    async start(pool) {
      const { config } = await customDb.getMasked(pool.id);
      if (!config.enabled || config.mode !== 'LAZY_MIGRATION') {
        return fail(
          'VALIDATION_ERROR',
          "This pool's custom database is not an enabled lazy migration (enabled: true, mode: LAZY_MIGRATION): there is no old database to import the rest from",
        );
      }
      const script = config.scripts.exportUsers;
      if (script === null || script === undefined || script.trim() === '') {
        return fail('SCRIPT_NOT_IMPLEMENTED', notImplementedFailure('exportUsers').message);
      }
      const started = await jobs.start(pool.id, 'import-rest', workFor(pool.id));
      return started.ok ? ok(started.value) : started;
    },

    async overview(poolId) {
      const [progress, counts, recent] = await Promise.all([
        customDb.migration(poolId),
        users.countImportedAndDeleted(poolId),
        importRestJobs(poolId),
      ]);
      const lastJob = recent[0] ?? null;
      const legacyTotal = recent.find((job) => job.total !== undefined)?.total ?? null;
      const remainingUsers =
        legacyTotal === null ? null : Math.max(0, legacyTotal - progress.migratedUsers - counts.imported - counts.deleted);
      return {
        ...progress,
        importedUsers: counts.imported,
        legacyTotal,
        remainingUsers,
        activeJob: recent.find((job) => job.status === 'running') ?? null,
        lastJob,
      };
    },
  };
}
