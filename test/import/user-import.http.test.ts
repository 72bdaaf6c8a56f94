import { afterAll, beforeAll, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { describeEachDialect } from '../support/dialects.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';

interface JobBody {
  id: string;
  status: string;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  errors: { line?: number; externalId?: string; message: string }[];
}

// Cost 4: the import stores hashes without verifying them, so their cost only slows the test.
const aliceHash = bcrypt.hashSync('alice-old-password', 4);
const bobHash = bcrypt.hashSync('bob-old-password', 4);
const carolHash = bcrypt.hashSync('carol-old-password', 4);

const ndjson = (lines: unknown[]) => lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';

describeEachDialect('bulk import over HTTP', (dialect) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(() => t.close());

  const importFile = (poolId: string, body: string, contentType = 'application/x-ndjson') =>
    t.request('POST', `/api/v1/pools/${poolId}/users/import`, { body, token: ADMIN_TOKEN, headers: { 'content-type': contentType } });

  async function finished(poolId: string, jobId: string): Promise<JobBody> {
    let job: JobBody | undefined;
    await expect
      .poll(async () => {
        job = (await t.admin('GET', `/api/v1/pools/${poolId}/jobs/${jobId}`)).json() as JobBody;
        return job.status;
      })
      .not.toBe('running');
    if (!job) throw new Error('no job');
    return job;
  }

  async function imported(poolId: string, body: string, contentType?: string): Promise<JobBody> {
    const response = await importFile(poolId, body, contentType);
    expect(response.statusCode, response.body).toBe(202);
    return finished(poolId, (response.json() as { jobId: string }).jobId);
  }

  const find = async (poolId: string, email: string) => (await t.admin('GET', `/api/v1/pools/${poolId}/users/find?email=${encodeURIComponent(email)}`)).json();

  it('imports our lines and Auth0 lines, reports each bad line by its number and goes on', async () => {
    const poolId = await t.createPool();
    expect((await t.admin('POST', `/api/v1/pools/${poolId}/users`, { username: 'taken', email: 'owner@example.com' })).statusCode).toBe(201);
    const file = ndjson([
      { externalId: 'a-1', email: 'alice@example.com', name: 'Alice', givenName: 'Alice', passwordHash: { algorithm: 'bcrypt', hash: aliceHash } },
      '{"externalId": "broken",',
      { user_id: 'auth0|b-2', email: 'bob@example.com', email_verified: true, nickname: 'bobby', picture: 'https://example.com/b.png', password_hash: bobHash, logins_count: 7 },
      { externalId: 'c-3', email: 'carol@example.com', passwordHash: { algorithm: 'md4', hash: 'abc' } },
      { externalId: 'd-4', email: 'dave@example.com', passwordHash: { algorithm: 'bcrypt', hash: '$2b$10$tooShort' } },
      { name: 'Nobody', username: 'nobody' },
      { externalId: 'a-1', email: 'alice2@example.com' },
      { externalId: 'e-5', email: 'erin@example.com', username: 'taken' },
      '',
      { user_id: 'f-6', email: 'frank@example.com', blocked: true, given_name: 'Frank', family_name: 'Castle', custom_password_hash: { algorithm: 'bcrypt', hash: { value: carolHash } } },
      { externalId: 'g-7', email: 'gina@example.com', colour: 'blue' },
    ]);
    const job = await imported(poolId, file);
    expect(job).toMatchObject({ status: 'done', processed: 10, created: 3, updated: 0, failed: 7 });
    expect(job.errors.map((error) => error.line)).toEqual([2, 4, 5, 6, 7, 8, 11]);
    const messages = Object.fromEntries(job.errors.map((error) => [error.line, error.message]));
    expect(messages[2]).toMatch(/not valid JSON/);
    expect(messages[4]).toMatch(/passwordHash\.algorithm/);
    expect(messages[5]).toMatch(/passwordHash\.hash/);
    expect(messages[6]).toMatch(/externalId or email/);
    expect(messages[7]).toMatch(/same user as line 1/);
    expect(messages[8]).toMatch(/belongs to another user/);
    expect(messages[11]).toMatch(/colour/);
    expect(job.errors.find((error) => error.line === 8)?.externalId).toBe('e-5');
    // no hash, salt or password ever appears in a job
    for (const secret of [aliceHash, bobHash, carolHash, 'old-password', 'tooShort']) expect(JSON.stringify(job)).not.toContain(secret);

    expect(await find(poolId, 'alice@example.com')).toMatchObject({ externalId: 'a-1', name: 'Alice', givenName: 'Alice', source: 'imported' });
    expect(await find(poolId, 'bob@example.com')).toMatchObject({
      externalId: 'b-2',
      emailVerified: true,
      nickname: 'bobby',
      photo: 'https://example.com/b.png',
      loginsCount: 0,
      source: 'imported',
    });
    expect(await find(poolId, 'frank@example.com')).toMatchObject({ externalId: 'f-6', blocked: true, givenName: 'Frank', familyName: 'Castle' });
    expect((await find(poolId, 'erin@example.com')).error.code).toBe('USER_NOT_FOUND');

    // An imported bcrypt hash logs in, and that login re-hashes it to argon2id.
    const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { email: 'bob@example.com', password: 'bob-old-password' } });
    expect(login.statusCode, login.body).toBe(200);
    const row = await t.server.store.db.selectFrom('users').select(['password_algorithm', 'password_hash']).where('email_key', '=', 'bob@example.com').executeTakeFirstOrThrow();
    expect(row.password_algorithm).toBe('argon2id');
    expect(row.password_hash).not.toBe(bobHash);
    expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { email: 'bob@example.com', password: 'bob-old-password' } })).statusCode).toBe(200);
  });

  it('is idempotent: a re-run updates by externalId, else email, and a user who logged in since keeps their password', async () => {
    const poolId = await t.createPool();
    const first = ndjson([
      { externalId: 'a-1', email: 'alice@example.com', name: 'Alice', passwordHash: { algorithm: 'bcrypt', hash: aliceHash } },
      { email: 'bob@example.com', nickname: 'bob', passwordHash: { algorithm: 'bcrypt', hash: bobHash } },
    ]);
    expect(await imported(poolId, first)).toMatchObject({ status: 'done', created: 2, updated: 0, failed: 0 });
    // Alice logs in here: her password is now the one she used here.
    expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { email: 'alice@example.com', password: 'alice-old-password' } })).statusCode).toBe(200);

    const second = ndjson([
      { externalId: 'a-1', email: 'alice@example.com', name: 'Alice Liddell', passwordHash: { algorithm: 'bcrypt', hash: carolHash } },
      { externalId: 'b-2', email: 'BOB@example.com', nickname: 'bobby', passwordHash: { algorithm: 'bcrypt', hash: carolHash } },
    ]);
    expect(await imported(poolId, second)).toMatchObject({ status: 'done', created: 0, updated: 2, failed: 0 });
    const list = (await t.admin('GET', `/api/v1/pools/${poolId}/users?limit=100`)).json();
    expect(list.totalCount).toBe(2);
    expect(await find(poolId, 'alice@example.com')).toMatchObject({ name: 'Alice Liddell', externalId: 'a-1' });
    // matched by email, it gains the externalId the file gives it
    expect(await find(poolId, 'bob@example.com')).toMatchObject({ nickname: 'bobby', externalId: 'b-2' });

    const login = (email: string, password: string) => t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { email, password } });
    expect((await login('alice@example.com', 'alice-old-password')).statusCode).toBe(200);
    expect((await login('alice@example.com', 'carol-old-password')).statusCode).toBe(401);
    // Nor does a plain password in a later file replace the one she logs in with.
    expect(await imported(poolId, ndjson([{ externalId: 'a-1', password: 'a-new-plain-password' }]))).toMatchObject({ updated: 1, failed: 0 });
    expect((await login('alice@example.com', 'alice-old-password')).statusCode).toBe(200);
    expect((await login('alice@example.com', 'a-new-plain-password')).statusCode).toBe(401);
    // Bob never logged in: the new file's hash is his password now.
    expect((await login('bob@example.com', 'carol-old-password')).statusCode).toBe(200);
  });

  it('takes a JSON array, and plain passwords hashed on import', async () => {
    const poolId = await t.createPool();
    const body = JSON.stringify([
      { externalId: 'x-1', email: 'xena@example.com', password: 'xena-password', nickname: 'x [,] "quoted" \\ ' },
      { externalId: 'y-2' , email: 'not an email' },
      { user_id: 'auth0|z-3', email: 'zed@example.com', name: 'Zed' },
    ]);
    const job = await imported(poolId, body, 'application/json');
    expect(job).toMatchObject({ status: 'done', processed: 3, created: 2, failed: 1, errors: [{ line: 2, externalId: 'y-2' }] });
    expect(await find(poolId, 'xena@example.com')).toMatchObject({ nickname: 'x [,] "quoted" \\ ' });
    expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { email: 'xena@example.com', password: 'xena-password' } })).statusCode).toBe(200);
    expect(await imported(poolId, '{"not": "an array"}', 'application/json')).toMatchObject({ status: 'failed', errors: [{ message: 'The body is not a JSON array' }] });
  });

  it('finds a duplicate of a line that an earlier batch already wrote', async () => {
    const poolId = await t.createPool();
    const lines = Array.from({ length: 1200 }, (_, index) => ({ externalId: `u-${index}`, email: `user${index}@example.com` }));
    lines.push({ externalId: 'u-3', email: 'again@example.com' });
    const job = await imported(poolId, ndjson(lines));
    expect(job).toMatchObject({ status: 'done', processed: 1201, created: 1200, failed: 1 });
    expect(job.errors).toEqual([{ line: 1201, externalId: 'u-3', message: expect.stringMatching(/earlier line/) }]);
  });

  it('answers 415 for other content types, 404 for an unknown pool, 409 while an import runs', async () => {
    const poolId = await t.createPool();
    for (const type of ['text/csv', 'text/plain', 'application/octet-stream']) {
      const response = await importFile(poolId, 'a,b\n', type);
      expect(response.statusCode).toBe(415);
      expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await importFile('no-such-pool', '{}\n')).json().error.code).toBe('POOL_NOT_FOUND');
    expect((await t.request('POST', `/api/v1/pools/${poolId}/users/import`, { body: '{}', headers: { 'content-type': 'application/x-ndjson' } })).statusCode).toBe(401);

    const running = await t.server.jobs.start(poolId, 'import', async (context) => {
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
    });
    if (!running.ok) throw new Error('not started');
    const refused = await importFile(poolId, '{}\n');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'JOB_RUNNING', message: expect.stringContaining(running.value.id) });
    await t.server.jobs.cancel(poolId, running.value.id);
  });
});
