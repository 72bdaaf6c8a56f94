import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPostgres, samplePassword, SAMPLE_USERS } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { createPostgresDatabase, postgresAdminSql, postgresReachable, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A clock the test moves: the breakers' cooldowns run on it. */
const clock = { at: Date.parse('2026-11-30T00:00:00Z') };

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

const THROWS = `async function getUser(query, context) { throw new Error('old database exploded'); }`;
const HANGS = `async function getUser(query, context) { await new Promise(() => {}); }`;
const NOT_FOUND = `async function getUser(query, context) { throw new UserNotFoundError(); }`;
const WRONG_PASSWORD = `async function login(query, password, context) { throw new WrongUsernameOrPasswordError(); }`;
const SLOW = `async function getUser(query, context) {
  if (query.email.startsWith('slow')) await new Promise((resolve) => setTimeout(resolve, 4000));
  return null;
}`;

describe('circuit breaker and concurrency cap over HTTP', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer('sqlite', {}, { now: () => clock.at });
  });
  afterAll(() => t.close());

  /** A pool whose custom user store has the given scripts and breaker settings. */
  async function storePool(settings: Record<string, unknown>): Promise<{ poolId: string; find: (email?: string) => ReturnType<TestServer['admin']> }> {
    const poolId = await t.createPool();
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { enabled: true, mode: 'CUSTOM_USER_STORE', ...settings });
    expect(saved.statusCode, saved.body).toBe(200);
    return { poolId, find: (email = 'a@example.com') => t.admin('GET', `/api/v1/pools/${poolId}/users/find?email=${email}`) };
  }
  const health = async (poolId: string) => (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/health`)).json();
  const logCount = async (poolId: string) => (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=500`)).json().list.length;

  it('opens after the threshold of scripts that throw, then answers 503 at once with the remaining cooldown', async () => {
    const { poolId, find } = await storePool({ scripts: { getUser: THROWS }, breakerThreshold: 2, breakerCooldownMs: 10_000 });
    expect(await health(poolId)).toEqual({ circuit: 'closed', inFlight: 0, consecutiveFailures: 0, openedAt: null });
    expect((await find()).statusCode).toBe(502);
    expect((await health(poolId)).consecutiveFailures).toBe(1);
    expect((await find()).statusCode).toBe(502);
    const ran = await logCount(poolId);

    clock.at += 3_000;
    const refused = await find();
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('CUSTOM_DB_UNAVAILABLE');
    expect(refused.headers['retry-after']).toBe('7');
    expect(await logCount(poolId)).toBe(ran);
    expect(await health(poolId)).toMatchObject({ circuit: 'open', consecutiveFailures: 2, openedAt: new Date(clock.at - 3_000).toISOString() });

    // After the cooldown one probe runs; the script still throws, so it opens again for a whole cooldown.
    clock.at += 7_000;
    expect((await health(poolId)).circuit).toBe('half-open');
    expect((await find()).statusCode).toBe(502);
    const again = await find();
    expect(again.statusCode).toBe(503);
    expect(again.headers['retry-after']).toBe('10');

    // Saving the connection (a fix) closes the circuit.
    await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, { scripts: { getUser: NOT_FOUND } });
    expect((await find()).statusCode).toBe(404);
    expect((await health(poolId)).circuit).toBe('closed');
  });

  it('opens after scripts that time out', async () => {
    const { poolId, find } = await storePool({ scripts: { getUser: HANGS }, timeoutMs: 200, breakerThreshold: 2 });
    expect((await find()).statusCode).toBe(504);
    expect((await find()).statusCode).toBe(504);
    expect((await find()).statusCode).toBe(503);
    expect((await health(poolId)).circuit).toBe('open');
  });

  it('opens when the database port refuses connections', async () => {
    const port = await closedPort();
    const { poolId, find } = await storePool({
      connection: { type: 'uri', uri: `postgres://nobody:pw@127.0.0.1:${port}/gone` },
      scripts: { getUser: templateById('postgres').scripts.getUser },
      breakerThreshold: 3,
    });
    for (let i = 0; i < 3; i++) expect((await find()).statusCode).toBe(502);
    expect((await find()).statusCode).toBe(503);
    expect((await health(poolId)).circuit).toBe('open');
  });

  it('never opens for wrong passwords or users that do not exist', async () => {
    const { poolId, find } = await storePool({ scripts: { login: WRONG_PASSWORD, getUser: NOT_FOUND }, breakerThreshold: 2 });
    for (let i = 0; i < 4; i++) {
      const login = await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username: `nobody${i}`, password: 'wrong' } });
      expect(login.statusCode).toBe(401);
      expect((await find()).statusCode).toBe(404);
    }
    expect(await health(poolId)).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
  });

  it('makes a call beyond the cap wait for a slot, then answers 503 with Retry-After; debug runs are capped too', async () => {
    const { poolId, find } = await storePool({ scripts: { getUser: SLOW }, timeoutMs: 10_000, maxConcurrency: 1 });
    expect((await find('warm@example.com')).statusCode).toBe(404);
    const slow = find('slow@example.com');
    for (let i = 0; i < 100 && (await health(poolId)).inFlight === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await health(poolId)).inFlight).toBe(1);

    const started = Date.now();
    const refused = await find('second@example.com');
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('CUSTOM_DB_UNAVAILABLE');
    expect(refused.headers['retry-after']).toBe('1');
    // It waited for a slot before giving up (a lower bound only: the machine may be slow, never fast).
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const debug = await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script: 'getUser', args: [{ email: 'x@example.com' }] });
    expect(debug.statusCode).toBe(503);
    expect(debug.headers['retry-after']).toBe('1');

    expect((await slow).statusCode).toBe(404);
    expect(await health(poolId)).toMatchObject({ inFlight: 0, circuit: 'closed', consecutiveFailures: 0 });
  });
});

const pgUp = await postgresReachable();

describe.skipIf(!pgUp)('a legacy database refusing connections during lazy migration', () => {
  let legacy: TestDatabase;
  let t: TestServer;
  let poolId: string;
  const users = SAMPLE_USERS.filter((user) => !user.blocked && user.username).slice(20, 24);
  const login = (i: number) => {
    const username = users[i]?.username ?? '';
    return t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username, password: samplePassword(username) } });
  };
  const health = async () => (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/health`)).json();
  const refuse = async (refused: boolean) => {
    await postgresAdminSql(`ALTER DATABASE ${legacy.name} ALLOW_CONNECTIONS ${refused ? 'false' : 'true'}`);
    if (refused) await postgresAdminSql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${legacy.name}'`);
  };

  beforeAll(async () => {
    legacy = await createPostgresDatabase('gh_legacy');
    await seedPostgres(legacy.url);
    t = await startTestServer('sqlite', {}, { now: () => clock.at });
    poolId = await t.createPool();
    const { login: loginScript, getUser } = templateById('postgres').scripts;
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri: legacy.url },
      scripts: { login: loginScript, getUser },
      breakerThreshold: 2,
      breakerCooldownMs: 5_000,
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await postgresAdminSql(`ALTER DATABASE ${legacy.name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await legacy?.drop();
  });

  it('opens, keeps local and migrated users signing in, and closes on a successful probe once the database is back', async () => {
    expect((await login(0)).statusCode).toBe(200);
    const local = { username: 'local-only-user', password: 'local-only-password' };
    expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: local })).statusCode).toBe(201);

    await refuse(true);
    expect((await login(1)).statusCode).toBe(502);
    expect((await login(2)).statusCode).toBe(502);
    const refused = await login(3);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect((await health()).circuit).toBe('open');

    // Neither needs the old database: the circuit does not stand in their way.
    expect((await login(0)).statusCode).toBe(200);
    expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: local })).statusCode).toBe(200);

    clock.at += 5_000;
    expect((await login(1)).statusCode).toBe(502);
    expect((await health()).circuit).toBe('open');

    await refuse(false);
    clock.at += 5_000;
    const probe = await login(1);
    expect(probe.statusCode, probe.body).toBe(200);
    expect(await health()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0, openedAt: null });
    expect((await login(3)).statusCode).toBe(200);
  });
});
