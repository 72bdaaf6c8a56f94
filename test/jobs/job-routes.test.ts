import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { JobWork } from '../../src/jobs/runner.js';

/** Work that reports one batch and then waits until it is stopped. */
const untilStopped: JobWork = async (context) => {
  await context.checkpoint({ processed: 3, created: 2, failed: 1, errors: [{ line: 2, message: 'line 2 is not JSON' }] });
  await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
};

// The routes read the store through the same repository on both dialects (the
// dialects are covered by jobs.dialects.test.ts); one dialect keeps this suite quick.
let t: TestServer;
let poolId: string;
const jobsUrl = () => `/api/v1/pools/${poolId}/jobs`;

beforeAll(async () => {
  t = await startTestServer('sqlite');
  poolId = await t.createPool();
});
afterAll(() => t.close());

it('answers a job in the API shape, lists jobs newest first, and cancels a running one', async () => {
  const finished = await t.server.jobs.start(poolId, 'import-rest', async (context) => void (await context.checkpoint({ processed: 1, skipped: 1 })));
  if (!finished.ok) throw new Error('not started');
  await t.server.jobs.settled(finished.value.id);
  // started_at has millisecond resolution: the second job must start in a later one
  await new Promise((resolve) => setTimeout(resolve, 5));
  const running = await t.server.jobs.start(poolId, 'import', untilStopped);
  if (!running.ok) throw new Error('not started');
  await expect.poll(async () => (await t.admin('GET', `${jobsUrl()}/${running.value.id}`)).json().processed).toBe(3);

  const one = await t.admin('GET', `${jobsUrl()}/${running.value.id}`);
  expect(one.statusCode).toBe(200);
  const job = one.json();
  expect(Object.keys(job).sort()).toEqual(
    ['created', 'errors', 'failed', 'finishedAt', 'id', 'kind', 'processed', 'skipped', 'startedAt', 'status', 'updated'].sort(),
  );
  expect(job).toMatchObject({
    id: running.value.id,
    kind: 'import',
    status: 'running',
    processed: 3,
    created: 2,
    updated: 0,
    skipped: 0,
    failed: 1,
    errors: [{ line: 2, message: 'line 2 is not JSON' }],
    finishedAt: null,
  });

  const list = await t.admin('GET', `${jobsUrl()}?limit=10`);
  expect(list.statusCode).toBe(200);
  expect(list.json().totalCount).toBe(2);
  expect(list.json().list.map((listed: { id: string }) => listed.id)).toEqual([running.value.id, finished.value.id]);
  expect(list.json().list[1]).toMatchObject({ kind: 'import-rest', status: 'done', processed: 1, skipped: 1 });

  const cancelled = await t.admin('POST', `${jobsUrl()}/${running.value.id}/cancel`);
  expect(cancelled.statusCode).toBe(200);
  expect(cancelled.json()).toMatchObject({ id: running.value.id, status: 'cancelled', processed: 3 });
  expect(cancelled.json().finishedAt).toEqual(expect.any(String));
  // cancelling a finished job changes nothing
  const again = await t.admin('POST', `${jobsUrl()}/${finished.value.id}/cancel`);
  expect(again.json()).toMatchObject({ status: 'done' });
});

it('answers 404 JOB_NOT_FOUND for an unknown job, and for another pool\'s job', async () => {
  const other = await t.createPool('other');
  const started = await t.server.jobs.start(other, 'import', async () => undefined);
  if (!started.ok) throw new Error('not started');
  for (const [method, url] of [
    ['GET', `${jobsUrl()}/no-such-job`],
    ['POST', `${jobsUrl()}/no-such-job/cancel`],
    ['GET', `${jobsUrl()}/${started.value.id}`],
  ] as const) {
    const response = await t.admin(method, url);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('JOB_NOT_FOUND');
  }
  expect((await t.admin('GET', '/api/v1/pools/no-such-pool/jobs')).json().error.code).toBe('POOL_NOT_FOUND');
  expect((await t.request('GET', jobsUrl())).statusCode).toBe(401);
});
