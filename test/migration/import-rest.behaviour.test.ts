/**
 * Import the rest: what the job does besides the happy path, against an "old database" that
 * lives in the exportUsers script itself (its users' bcrypt hashes made by the script with
 * bcryptjs): refusals, one job per pool (409 naming it), cancel, per-user failures, a script
 * that would loop forever, and hashes kept out of every answer and log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { allUsers, jobEnded } from './import-rest-suite.js';

const LEGACY_TOTAL = 30;
const PAGE_SIZE = 5;

/** 30 legacy users, 5 a page, each page after `PAGE_DELAY_MS`; user 7's hash has an unknown algorithm. */
const EXPORT_USERS = `async function exportUsers(cursor, limit, context) {
  const bcrypt = require('bcryptjs');
  const after = cursor == null ? 0 : Number(cursor);
  await new Promise((resolve) => setTimeout(resolve, Number(env.PAGE_DELAY_MS)));
  const list = [];
  for (let id = after + 1; id <= Math.min(${LEGACY_TOTAL}, after + limit); id += 1) {
    const hash = bcrypt.hashSync('legacy-password-' + id, 4);
    list.push({
      id: String(id),
      username: 'legacy' + id,
      email: 'legacy' + id + '@old.example',
      passwordHash: id === 7 ? { algorithm: 'rot13', hash } : { algorithm: 'bcrypt', hash },
    });
  }
  // A hash a careless script prints must not reach a log either.
  console.log('first hash: ' + (list[0] && list[0].passwordHash.hash));
  const next = after + limit >= ${LEGACY_TOTAL} ? null : String(after + limit);
  return cursor == null ? { list, nextCursor: next, totalCount: ${LEGACY_TOTAL} } : { list, nextCursor: next };
}`;

const LOGIN = `async function login(query, password) {
  const id = Number(String(query.username || '').replace('legacy', ''));
  if (!(id >= 1 && id <= ${LEGACY_TOTAL})) throw new UserNotFoundError();
  if (password !== 'legacy-password-' + id) throw new WrongUsernameOrPasswordError();
  return { id: String(id), username: 'legacy' + id, email: 'legacy' + id + '@old.example' };
}`;

describe('import the rest: one job per pool, cancel, refusals and per-user failures', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer('sqlite', {}, { importRest: { pageSize: PAGE_SIZE, retryDelaysMs: [50, 50] } });
  });
  afterAll(() => t.close());

  async function lazyPool(delayMs: number, exportUsers: string | null = EXPORT_USERS): Promise<string> {
    const poolId = await t.createPool();
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: null,
      env: { PAGE_DELAY_MS: String(delayMs) },
      scripts: { login: LOGIN, getUser: 'async function getUser() { return null; }', exportUsers },
      timeoutMs: 10_000,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    return poolId;
  }

  const start = (poolId: string) => t.admin('POST', `/api/v1/pools/${poolId}/custom-db/import-rest`);

  it('refuses a pool without an enabled lazy migration (400) and a connection without exportUsers (501)', async () => {
    const plain = await t.createPool();
    const none = await start(plain);
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('not an enabled lazy migration') as unknown });

    const store = await t.createPool();
    await t.admin('PUT', `/api/v1/pools/${store}/custom-db`, { enabled: true, mode: 'CUSTOM_USER_STORE', connection: null });
    expect((await start(store)).statusCode).toBe(400);

    const withoutExport = await lazyPool(0, null);
    const missing = await start(withoutExport);
    expect(missing.statusCode).toBe(501);
    expect(missing.json().error).toMatchObject({
      code: 'SCRIPT_NOT_IMPLEMENTED',
      message: 'Please implement the Export users script for this database connection',
    });
    expect((await t.admin('POST', '/api/v1/pools/nope/custom-db/import-rest')).statusCode).toBe(404);
  });

  it('runs one job at a time per pool: a second request answers 409 JOB_RUNNING naming it; cancel stops it', async () => {
    const poolId = await lazyPool(400);
    const first = await start(poolId);
    expect(first.statusCode, first.body).toBe(202);
    const { jobId } = first.json() as { jobId: string };

    const second = await start(poolId);
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('JOB_RUNNING');
    expect(second.json().error.message).toContain(jobId);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json().activeJob).toMatchObject({ id: jobId, status: 'running' });

    const cancelled = await t.admin('POST', `/api/v1/pools/${poolId}/jobs/${jobId}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    const ended = await jobEnded(t, poolId, jobId);
    expect(ended.status).toBe('cancelled');
    expect(ended.processed).toBeLessThan(LEGACY_TOTAL);
    // A cancel lands between pages or in one (whose counts it may leave out); nothing is half-made.
    const afterCancel = (await allUsers(t, poolId)).length;
    expect(afterCancel).toBeGreaterThanOrEqual(ended.created);
    expect(afterCancel).toBeLessThan(LEGACY_TOTAL - 1);

    // Another run goes on to the end: the users the cancelled one created are skipped.
    const again = await start(poolId);
    expect(again.statusCode, again.body).toBe(202);
    const done = await jobEnded(t, poolId, (again.json() as { jobId: string }).jobId);
    expect(done).toMatchObject({ status: 'done', processed: LEGACY_TOTAL, skipped: afterCancel, created: LEGACY_TOTAL - 1 - afterCancel, failed: 1 });
    expect(await allUsers(t, poolId)).toHaveLength(LEGACY_TOTAL - 1);
  });

  it('reports a user whose hash does not parse by its externalId and creates everyone else, with their hashes', async () => {
    const poolId = await lazyPool(0);
    const started = await start(poolId);
    const job = await jobEnded(t, poolId, (started.json() as { jobId: string }).jobId);
    expect(job).toMatchObject({ status: 'done', total: LEGACY_TOTAL, processed: LEGACY_TOTAL, created: LEGACY_TOTAL - 1, failed: 1 });
    expect(job.errors).toEqual([{ externalId: '7', message: expect.stringContaining('passwordHash.algorithm') as unknown }]);
    const users = await allUsers(t, poolId);
    expect(users.map((user) => user.externalId)).not.toContain('7');
    expect(users.every((user) => user.source === 'imported')).toBe(true);
    // User 7 still migrates by logging in, through the old database.
    const seven = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username: 'legacy7', password: 'legacy-password-7' } });
    expect(seven.statusCode, seven.body).toBe(200);
    expect(seven.json().user).toMatchObject({ externalId: '7', source: 'migrated' });
  });

  it('never shows a hash: job answers, the connection log and the debug answer (masked there, algorithm kept)', async () => {
    const poolId = await lazyPool(0);
    const started = await start(poolId);
    const jobId = (started.json() as { jobId: string }).jobId;
    await jobEnded(t, poolId, jobId);
    const debug = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script: 'exportUsers', args: [null, 3] });
    expect(debug.statusCode).toBe(200);
    expect(debug.json().result.list[0].passwordHash).toEqual({ algorithm: 'bcrypt', hash: '********' });
    expect(debug.json().logs).toEqual([{ level: 'log', message: 'first hash: ********' }]);
    const answers = [
      debug.body,
      (await t.admin('GET', `/api/v1/pools/${poolId}/jobs/${jobId}`)).body,
      (await t.admin('GET', `/api/v1/pools/${poolId}/jobs`)).body,
      (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=500`)).body,
      (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).body,
      (await t.admin('GET', `/api/v1/pools/${poolId}/users?limit=100`)).body,
    ];
    for (const body of answers) expect(body).not.toMatch(/\$2[aby]\$/);
  });

  it('tries a page again when its call fails as a busy database does, and fails the job only when it keeps failing', async () => {
    // Every other call throws: each page succeeds on its second try.
    const flaky = `async function exportUsers(cursor, limit) {
      global.calls = (global.calls || 0) + 1;
      if (global.calls % 2 === 0) throw new Error('connection reset by the old database');
      const after = cursor == null ? 0 : Number(cursor);
      const list = [];
      for (let id = after + 1; id <= Math.min(12, after + limit); id += 1) list.push({ id: String(id), username: 'flaky' + id });
      return { list, nextCursor: after + limit >= 12 ? null : String(after + limit) };
    }`;
    const flakyPool = await lazyPool(0, flaky);
    const recovered = await jobEnded(t, flakyPool, ((await start(flakyPool)).json() as { jobId: string }).jobId);
    expect(recovered).toMatchObject({ status: 'done', processed: 12, created: 12, failed: 0 });

    const broken = `async function exportUsers() { throw new Error('the old database is gone'); }`;
    const brokenPool = await lazyPool(0, broken);
    const failed = await jobEnded(t, brokenPool, ((await start(brokenPool)).json() as { jobId: string }).jobId);
    expect(failed.status).toBe('failed');
    expect(failed.errors.at(-1)?.message).toBe("The Export users script failed (runtime: Error) 3 times; the connection's log has the details");
  });

  it('fails the job, not the server, when exportUsers answers the cursor it was given', async () => {
    const looping = `async function exportUsers(cursor) { return { list: [], nextCursor: 'same' }; }`;
    const poolId = await lazyPool(0, looping);
    const job = await jobEnded(t, poolId, ((await start(poolId)).json() as { jobId: string }).jobId);
    // The first call gets null and answers 'same'; the second gets 'same' and answers it again.
    expect(job.status).toBe('failed');
    expect(job.errors.at(-1)?.message).toContain('answered the cursor it was given');
  });
});
