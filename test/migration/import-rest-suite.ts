/**
 * Import the rest, end to end through the HTTP API: a pool in lazy migration against a
 * seeded sample database with its template saved unchanged (exportUsers included), one
 * user migrated by a login, one of them deleted (tombstoned), then the job started while
 * first logins of other legacy users race it. Run once per kind of old database.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SAMPLE_USERS, samplePassword } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { DEFAULT_THROTTLE } from '../../src/config/config.js';
import { startTestServer, type TestServer } from '../support/server.js';
import type { LegacyDatabase } from '../support/legacy-databases.js';

interface JobAnswer {
  id: string;
  status: string;
  total?: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  errors: { externalId?: string; message: string }[];
}

interface UserAnswer {
  id: string;
  username: string | null;
  externalId: string | null;
  source: string;
}

const sample = (username: string) => {
  const user = SAMPLE_USERS.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`no sample user ${username}`);
  return user;
};
/** Legacy users whose first login races the job: several logins each, all at once. */
const RACERS = SAMPLE_USERS.filter((user) => !user.blocked).slice(10, 16);
const LOGINS_PER_RACER = 2;

/** Every user of the pool, all pages. */
export async function allUsers(t: TestServer, poolId: string): Promise<UserAnswer[]> {
  const users: UserAnswer[] = [];
  for (let page = 1; ; page += 1) {
    const answer = (await t.admin('GET', `/api/v1/pools/${poolId}/users?page=${page}&limit=100`)).json() as { list: UserAnswer[] };
    users.push(...answer.list);
    if (answer.list.length < 100) return users;
  }
}

/** Polls the job until it is no longer running (generous: two cores shared with the rest). */
export async function jobEnded(t: TestServer, poolId: string, jobId: string, timeoutMs = 60_000): Promise<JobAnswer> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await t.admin('GET', `/api/v1/pools/${poolId}/jobs/${jobId}`)).json() as JobAnswer;
    if (job.status !== 'running') return job;
    if (Date.now() > until) throw new Error(`job still running after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function importRestSuite(legacy: LegacyDatabase): void {
  let t: TestServer;
  let poolId: string;
  const login = (account: string, password: string) =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account, password } });

  beforeAll(async () => {
    const uri = await legacy.setup();
    // Logins of one account race each other and the job: the per-account budget (counted
    // before the password check) must hold them all at once.
    t = await startTestServer('sqlite', { throttle: { ...DEFAULT_THROTTLE, maxFailuresPerAccount: 50 } });
    poolId = await t.createPool(`import the rest from ${legacy.templateId}`);
    const { scripts } = templateById(legacy.templateId);
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri },
      scripts: { login: scripts.login, getUser: scripts.getUser, exportUsers: scripts.exportUsers },
      timeoutMs: 15_000,
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await legacy.teardown();
  });

  it('imports every user neither migrated nor deleted, exactly once, while first logins race it', async () => {
    // alice migrates by logging in; carol migrates and is then deleted by an administrator.
    expect((await login('alice', samplePassword('alice'))).statusCode).toBe(200);
    const carol = (await login('carol', samplePassword('carol'))).json().user as UserAnswer;
    expect((await t.admin('DELETE', `/api/v1/pools/${poolId}/users/${carol.id}`)).statusCode).toBe(204);

    const started = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/import-rest`);
    expect(started.statusCode, started.body).toBe(202);
    const { jobId } = started.json() as { jobId: string };
    const logins = await Promise.all(
      RACERS.flatMap((user) => Array.from({ length: LOGINS_PER_RACER }, () => login(user.email, samplePassword(user.username)))),
    );
    const job = await jobEnded(t, poolId, jobId);

    expect(job, JSON.stringify(job.errors)).toMatchObject({ status: 'done', total: SAMPLE_USERS.length, processed: SAMPLE_USERS.length, failed: 0 });
    // Everyone but carol, each exactly once.
    const users = await allUsers(t, poolId);
    const byExternalId = new Map<string, UserAnswer[]>();
    for (const user of users) byExternalId.set(user.externalId ?? '', [...(byExternalId.get(user.externalId ?? '') ?? []), user]);
    expect(users).toHaveLength(SAMPLE_USERS.length - 1);
    expect([...byExternalId.values()].every((copies) => copies.length === 1)).toBe(true);
    expect(users.map((user) => user.username).sort()).toEqual(SAMPLE_USERS.map((user) => user.username).filter((name) => name !== 'carol').sort());
    expect(users.find((user) => user.username === 'alice')?.source).toBe('migrated');
    // The job counted who it created and who was already here (alice, the racers who won).
    expect(job.created + job.skipped).toBe(SAMPLE_USERS.length);
    expect(job.created).toBe(users.filter((user) => user.source === 'imported').length);

    // Every racing login succeeded, as the one user now stored for that account.
    for (const [index, response] of logins.entries()) {
      expect(response.statusCode, response.body).toBe(200);
      const racer = RACERS[Math.floor(index / LOGINS_PER_RACER)];
      const stored = users.find((user) => user.username === racer?.username);
      expect((response.json() as { user: UserAnswer }).user.id).toBe(stored?.id);
    }

    const overview = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json();
    expect(overview).toMatchObject({
      importedUsers: job.created,
      legacyTotal: SAMPLE_USERS.length,
      remainingUsers: 0,
      activeJob: null,
      lastJob: { id: jobId, status: 'done' },
    });
  });

  it('an imported user signs in with the password the old database had, and blocked stays blocked', async () => {
    const dave = sample('dave');
    const response = await login(dave.email, samplePassword('dave'));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user).toMatchObject({ username: 'dave', source: 'imported' });
    expect((await login(dave.email, 'not-daves-password')).statusCode).toBe(401);
    const blocked = SAMPLE_USERS.find((user) => user.blocked);
    expect((await login(blocked?.email ?? '', samplePassword(blocked?.username ?? ''))).statusCode).toBe(403);
  });

  it('a second run creates no one', async () => {
    const started = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/import-rest`);
    expect(started.statusCode, started.body).toBe(202);
    const job = await jobEnded(t, poolId, (started.json() as { jobId: string }).jobId);
    expect(job).toMatchObject({ status: 'done', created: 0, skipped: SAMPLE_USERS.length, failed: 0 });
    expect(await allUsers(t, poolId)).toHaveLength(SAMPLE_USERS.length - 1);
  });
}
