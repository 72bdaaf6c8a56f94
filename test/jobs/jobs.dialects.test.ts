import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/database.js';
import { jobsRepository, type JobsRepository } from '../../src/store/jobs.js';
import { poolsRepository } from '../../src/store/pools.js';
import { createJobRunner, type JobRunner, type JobWork } from '../../src/jobs/runner.js';
import { MAX_JOB_ERRORS } from '../../src/domain/job.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { describeEachDialect } from '../support/dialects.js';

const LEASE_MS = 60_000;
const quietLog = { error: () => undefined };

/** A clock each runner reads its lease times from; tests move it instead of waiting. */
function clock(start = Date.now()) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

/** Work that stops at each of its batches until the test lets it go on. */
function steppedWork(batches: number, onBatch?: (index: number) => Promise<void>): JobWork {
  return async (context) => {
    const start = context.job.cursor === null ? 0 : Number(context.job.cursor);
    for (let index = start; index < batches; index++) {
      await onBatch?.(index);
      if (context.signal.aborted) return;
      const goOn = await context.checkpoint({ processed: 10, created: 10, cursor: String(index + 1) });
      if (!goOn) return;
    }
  };
}

/** A promise and the function that settles it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describeEachDialect('jobs and their leases', (dialect) => {
  let store: Store;
  let database: TestDatabase | undefined;
  let dataDir: string;
  let jobs: JobsRepository;
  let poolId: string;
  const runners: JobRunner[] = [];
  const runner = (options: { now?: () => number; owner?: string; leaseMs?: number } = {}) => {
    const created = createJobRunner({ jobs, log: quietLog, leaseMs: LEASE_MS, ...options });
    runners.push(created);
    return created;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-jobs-'));
    if (dialect === 'postgres') database = await createPostgresDatabase();
    store = await openStore({ databaseUrl: database?.url, dataDir });
    jobs = jobsRepository(store.db);
  });
  beforeEach(async () => {
    poolId = (await poolsRepository(store.db).create({ name: 'jobs', metadata: {} })).id;
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.close({ release: false })));
    await store.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a job in batches, saving its counters and cursor, and ends it done', async () => {
    const first = runner();
    const started = await first.start(poolId, 'import', steppedWork(3));
    if (!started.ok) throw new Error('not started');
    expect(started.value).toMatchObject({ kind: 'import', status: 'running', processed: 0, finishedAt: null });
    await first.settled(started.value.id);
    const stored = await jobs.get(poolId, started.value.id);
    expect(stored).toMatchObject({ status: 'done', processed: 30, created: 30, cursor: '3', leaseOwner: null });
    expect(stored?.finishedAt).not.toBeNull();
  });

  it('lets two runners racing for one lease start one job: the other is told which job runs', async () => {
    const hold = gate();
    const [a, b] = [runner(), runner()];
    const outcomes = await Promise.all([a, b].map((r) => r.start(poolId, 'import-rest', steppedWork(1, () => hold.wait))));
    const won = outcomes.filter((outcome) => outcome.ok);
    const lost = outcomes.filter((outcome) => !outcome.ok);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = won[0]?.ok ? won[0].value : undefined;
    const loser = lost[0]?.ok === false ? lost[0].error : undefined;
    expect(loser?.code).toBe('JOB_RUNNING');
    expect(loser?.message).toContain(winner?.id);
    // Another kind is not held back by it.
    expect((await a.start(poolId, 'import', steppedWork(0))).ok).toBe(true);
    hold.open();
    await Promise.all([a.settled(winner?.id ?? ''), b.settled(winner?.id ?? '')]);
    // Once it has ended, the kind may run again.
    expect((await b.start(poolId, 'import-rest', steppedWork(0))).ok).toBe(true);
  });

  it('takes over a job whose lease expired; the runner that lost it stops writing', async () => {
    const time = clock();
    const originalHold = gate();
    const successorHold = gate();
    const original = runner({ now: time.now, owner: 'original' });
    const originalBatches: number[] = [];
    const started = await original.start(
      poolId,
      'import-rest',
      steppedWork(4, async (index) => {
        originalBatches.push(index);
        if (index === 1) await originalHold.wait;
      }),
    );
    if (!started.ok) throw new Error('not started');
    const jobId = started.value.id;
    await expect.poll(async () => (await jobs.get(poolId, jobId))?.cursor).toBe('1');

    // Before the lease runs out, nobody may take the job: not a sweep, not a direct take-over.
    const early = runner({ now: time.now, owner: 'early' });
    early.register('import-rest', { resume: async () => steppedWork(4) });
    await early.resumeExpired();
    expect(await jobs.takeOver(jobId, { owner: 'early', until: new Date(time.now() + LEASE_MS).toISOString() }, new Date(time.now()).toISOString())).toBeUndefined();
    expect((await jobs.get(poolId, jobId))?.leaseOwner).toBe('original');

    const later = clock(time.now() + LEASE_MS + 1);
    const successor = runner({ now: later.now, owner: 'successor' });
    successor.register('import-rest', {
      resume: async () => steppedWork(4, (index) => (index === 3 ? successorHold.wait : Promise.resolve())),
    });
    await successor.resumeExpired();
    await expect.poll(async () => (await jobs.get(poolId, jobId))?.cursor).toBe('3');
    expect((await jobs.get(poolId, jobId))?.leaseOwner).toBe('successor');

    // The original wakes up while the successor still runs: its checkpoint is refused and it stops.
    originalHold.open();
    await original.settled(jobId);
    expect(originalBatches).toEqual([0, 1]);
    expect(await jobs.get(poolId, jobId)).toMatchObject({ leaseOwner: 'successor', cursor: '3', processed: 30 });

    successorHold.open();
    await successor.settled(jobId);
    expect(await jobs.get(poolId, jobId)).toMatchObject({ status: 'done', processed: 40, cursor: '4' });
  });

  it('resumes from the cursor after a crash: a runner stopped mid-job and a new one going on', async () => {
    const time = clock();
    const stopHere = gate();
    const crashed = runner({ now: time.now, owner: 'crashed' });
    const seen: number[] = [];
    const started = await crashed.start(poolId, 'import-rest', steppedWork(5, async (index) => {
      seen.push(index);
      if (index === 2) await stopHere.wait;
    }));
    if (!started.ok) throw new Error('not started');
    await expect.poll(async () => (await jobs.get(poolId, started.value.id))?.cursor).toBe('2');
    // The instance dies: its work stops and nothing releases the lease.
    const closing = crashed.close({ release: false });
    stopHere.open();
    await closing;
    expect(await jobs.get(poolId, started.value.id)).toMatchObject({ status: 'running', leaseOwner: 'crashed', processed: 20 });

    const restarted = runner({ now: () => time.now() + LEASE_MS + 1, owner: 'restarted' });
    const resumedFrom: (string | null)[] = [];
    restarted.register('import-rest', {
      resume: async (job) => {
        resumedFrom.push(job.cursor);
        return steppedWork(5, async (index) => void seen.push(index));
      },
    });
    await restarted.resumeExpired();
    await restarted.settled(started.value.id);
    expect(resumedFrom).toEqual(['2']);
    expect(seen).toEqual([0, 1, 2, 2, 3, 4]);
    expect(await jobs.get(poolId, started.value.id)).toMatchObject({ status: 'done', processed: 50, created: 50, cursor: '5' });
  });

  it('fails a job of a kind that cannot resume when its instance is gone', async () => {
    const time = clock();
    const crashed = runner({ now: time.now });
    const started = await crashed.start(poolId, 'import', async (context) => {
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
    });
    if (!started.ok) throw new Error('not started');
    await crashed.close({ release: false });
    await runner({ now: () => time.now() + LEASE_MS + 1 }).resumeExpired();
    const stored = await jobs.get(poolId, started.value.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.errors.at(-1)?.message).toMatch(/stopped before it finished/);
  });

  it('cancels a running job at its next batch, and a job nobody runs at once', async () => {
    // A lease renewed every 200 s: only the job's own checkpoints can see the cancellation in time.
    const local = runner({ leaseMs: 600_000 });
    const started = await local.start(poolId, 'import', async (context) => {
      while (await context.checkpoint({ processed: 1 })) await new Promise((resolve) => setTimeout(resolve, 5));
    });
    if (!started.ok) throw new Error('not started');
    // Cancelled through another runner (another instance): the job's own runner sees it at a checkpoint.
    const elsewhere = runner();
    await elsewhere.cancel(poolId, started.value.id);
    await local.settled(started.value.id);
    expect((await local.get(poolId, started.value.id))?.status).toBe('cancelled');

    const time = clock();
    const gone = runner({ now: time.now });
    const orphan = await gone.start(poolId, 'import', async (context) => {
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
    });
    if (!orphan.ok) throw new Error('not started');
    await gone.close({ release: false });
    const cancelled = await runner({ now: () => time.now() + LEASE_MS + 1 }).cancel(poolId, orphan.value.id);
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(cancelled?.finishedAt).not.toBeNull();
    expect(await local.cancel(poolId, 'no-such-job')).toBeUndefined();
  });

  it('keeps the first errors only, and counts them all', async () => {
    const local = runner();
    const errors = Array.from({ length: 700 }, (_, index) => ({ line: index + 1, message: 'bad' }));
    const started = await local.start(poolId, 'import', async (context) => {
      await context.checkpoint({ failed: 700, errors });
      await context.checkpoint({ failed: 700, errors });
    });
    if (!started.ok) throw new Error('not started');
    await local.settled(started.value.id);
    const stored = await jobs.get(poolId, started.value.id);
    expect(stored?.failed).toBe(1400);
    expect(stored?.errors).toHaveLength(MAX_JOB_ERRORS);
  });

  it('lists jobs newest first and ends a failed work as failed with its message', async () => {
    const local = runner();
    const first = await local.start(poolId, 'import', async () => {
      throw new Error('the file could not be read');
    });
    if (!first.ok) throw new Error('not started');
    await local.settled(first.value.id);
    // started_at has millisecond resolution: the second job must start in a later one
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await local.start(poolId, 'import-rest', steppedWork(0));
    if (!second.ok) throw new Error('not started');
    await local.settled(second.value.id);
    const page = await local.list(poolId, 1, 10);
    expect(page.totalCount).toBe(2);
    expect(page.list.map((job) => job.id)).toEqual([second.value.id, first.value.id]);
    expect(page.list[1]).toMatchObject({ status: 'failed', errors: [{ message: 'the file could not be read' }] });
    // the API's shape: no pool, cursor or lease
    expect(Object.keys(page.list[0] ?? {})).not.toContain('leaseOwner');
  });
});
