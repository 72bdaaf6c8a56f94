/**
 * Import the rest survives a crash: a real server process is killed (SIGKILL) in the middle
 * of the job, a new one is started on the same store, and once the dead one's lease has run
 * out it takes the job over and finishes it from the saved cursor, creating no one twice,
 * while first logins race it. The old database is the sample web service (the web-service
 * template, saved unchanged but for a pause per page, so the kill lands mid-job).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_USERS, samplePassword, startSampleWebService, type SampleWebService } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { startServerProcess, type RunningServer } from '../support/process.js';

const ADMIN = 'import-rest-restart-admin-token';
const PAGE_SIZE = 10;
const LEASE_MS = 1000;
const RACERS = SAMPLE_USERS.filter((user) => !user.blocked).slice(40, 46);

/** The template's exportUsers, pausing before each page. */
const SLOW_EXPORT = templateById('webservice').scripts.exportUsers.replace(
  'async function exportUsers(cursor, limit, context) {',
  'async function exportUsers(cursor, limit, context) {\n  await new Promise((resolve) => setTimeout(resolve, 200));',
);

interface Job {
  status: string;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  total?: number;
}

describe('import the rest: a killed server, restarted, resumes the job from its cursor', { timeout: 120_000 }, () => {
  let legacy: SampleWebService;
  let dataDir: string;
  const servers: RunningServer[] = [];

  const start = async () => {
    const server = await startServerProcess(
      {
        PORT: '0',
        GATEHOUSE_DATA_DIR: dataDir,
        GATEHOUSE_ADMIN_TOKEN: ADMIN,
        GATEHOUSE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
        // Several logins of one account race the job: the budget must hold them all at once.
        GATEHOUSE_LOGIN_MAX_FAILURES_PER_ACCOUNT: '20',
        GATEHOUSE_TEST_SERVER_OPTIONS: JSON.stringify({ jobLeaseMs: LEASE_MS, importRest: { pageSize: PAGE_SIZE } }),
      },
      30_000,
      ['test/support/server-child.mjs'],
    );
    servers.push(server);
    return server;
  };

  const call = async (server: RunningServer, method: string, url: string, body?: unknown, token: string | null = ADMIN) => {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  async function waitForJob(server: RunningServer, poolId: string, jobId: string, until: (job: Job) => boolean, timeoutMs = 60_000): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await call(server, 'GET', `/api/v1/pools/${poolId}/jobs/${jobId}`)).body as unknown as Job;
      if (until(job)) return job;
      if (Date.now() > deadline) throw new Error(`job not there after ${timeoutMs} ms: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    legacy = await startSampleWebService({ port: 0, host: '127.0.0.1' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-import-rest-'));
  });
  afterAll(async () => {
    for (const server of servers) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await legacy.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes after the restart with every user exactly once, re-reading at most the page in hand', async () => {
    const first = await start();
    const poolId = (await call(first, 'POST', '/api/v1/pools', { name: 'Restart' })).body['id'] as string;
    const { scripts } = templateById('webservice');
    const saved = await call(first, 'PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri: legacy.url },
      scripts: { login: scripts.login, getUser: scripts.getUser, exportUsers: SLOW_EXPORT },
      timeoutMs: 10_000,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const started = await call(first, 'POST', `/api/v1/pools/${poolId}/custom-db/import-rest`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const jobId = started.body['jobId'] as string;

    const beforeKill = await waitForJob(first, poolId, jobId, (job) => job.processed >= 2 * PAGE_SIZE);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(beforeKill.status).toBe('running');
    expect(beforeKill.processed).toBeLessThan(SAMPLE_USERS.length);

    const second = await start();
    // First logins race the resumed job on the new instance.
    const logins = Promise.all(
      RACERS.flatMap((user) =>
        [0, 1].map(() => call(second, 'POST', `/api/v1/pools/${poolId}/auth/login`, { account: user.email, password: samplePassword(user.username) }, null)),
      ),
    );
    const done = await waitForJob(second, poolId, jobId, (job) => job.status !== 'running');
    expect(done).toMatchObject({ status: 'done', total: SAMPLE_USERS.length, failed: 0 });
    // Resumed, not started over: every page counted once, and only users of the page the
    // kill interrupted (created then, not yet counted) or won by a racing login are skipped.
    expect(done.processed).toBe(SAMPLE_USERS.length);
    expect(done.created + done.skipped).toBe(SAMPLE_USERS.length);
    expect(done.skipped).toBeLessThanOrEqual(PAGE_SIZE + RACERS.length);
    expect(done.created).toBeGreaterThan(beforeKill.created);

    const users: { id: string; externalId: string; username: string }[] = [];
    for (let page = 1; page <= 2; page += 1) {
      users.push(...((await call(second, 'GET', `/api/v1/pools/${poolId}/users?page=${page}&limit=100`)).body['list'] as typeof users));
    }
    expect(users).toHaveLength(SAMPLE_USERS.length);
    expect(new Set(users.map((user) => user.externalId)).size).toBe(SAMPLE_USERS.length);
    for (const [index, response] of (await logins).entries()) {
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const racer = RACERS[Math.floor(index / 2)];
      const user = (response.body['user'] ?? {}) as { id?: string };
      expect(user.id).toBe(users.find((stored) => stored.username === racer?.username)?.id);
    }
  });
});
