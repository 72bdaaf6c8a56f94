import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { parseScrape, type Scrape } from '../support/prometheus.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';

const METRICS_TOKEN = 'test-metrics-token-0123456789';
const LEGACY_PASSWORD = 'legacy-password-1';

/**
 * A real login script in a real runtime: `boom` throws, `crash` takes its runtime down with
 * an uncaught exception, `slow` never answers, the rest sign in with LEGACY_PASSWORD.
 */
const LEGACY_LOGIN = `async function login(query, password) {
  if (query.username === 'boom') throw new Error('the legacy database exploded');
  if (query.username === 'crash') {
    setTimeout(() => { throw new Error('a driver callback blew up'); }, 0);
    return new Promise(() => {});
  }
  if (query.username === 'slow') return new Promise(() => {});
  if (password === '${LEGACY_PASSWORD}') return { id: 'legacy-' + query.username, username: query.username, email: query.username + '@legacy.example' };
  throw new WrongUsernameOrPasswordError();
}`;

/** The throttle's and the stats' clock, moved by hand. */
function fakeClock() {
  let at = Date.parse('2026-11-30T12:00:30Z');
  return { now: () => at, advance: (ms: number) => void (at += ms) };
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /metrics after real logins and script calls', () => {
  const clock = fakeClock();
  let t: TestServer;
  let localPool: string;
  let legacyPool: string;
  let aliceId: string;
  const scrape = async (): Promise<Scrape> => {
    const response = await t.request('GET', '/metrics', { token: METRICS_TOKEN });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseScrape(response.body);
  };
  const login = (pool: string, username: string, password: string) =>
    t.request('POST', `/api/v1/pools/${pool}/auth/login`, { body: { username, password } });

  beforeAll(async () => {
    t = await startTestServer(
      'sqlite',
      { metricsToken: METRICS_TOKEN, throttle: { maxFailuresPerAccount: 2, maxFailuresPerAddress: 100, windowSeconds: 900 } },
      { now: clock.now },
    );
    localPool = await t.createPool('Local');
    legacyPool = await t.createPool('Legacy');
    const registered = await t.request('POST', `/api/v1/pools/${localPool}/auth/register`, {
      body: { username: 'alice', email: 'alice@example.com', password: 'alice-password-1' },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    aliceId = registered.json().id ?? registered.json().user.id;
    const saved = await t.admin('PUT', `/api/v1/pools/${legacyPool}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      scripts: { login: LEGACY_LOGIN },
      timeoutMs: 300,
    });
    expect(saved.statusCode, saved.body).toBe(200);

    expect((await login(localPool, 'alice', 'alice-password-1')).statusCode).toBe(200);
    expect((await login(localPool, 'alice', 'wrong-password-1')).statusCode).toBe(401);
    expect((await login(localPool, 'alice', 'wrong-password-2')).statusCode).toBe(401);
    expect((await login(localPool, 'alice', 'alice-password-1')).statusCode).toBe(429);

    expect((await login(legacyPool, 'bob', LEGACY_PASSWORD)).statusCode).toBe(200);
    expect((await login(legacyPool, 'bob', LEGACY_PASSWORD)).statusCode).toBe(200);
    expect((await login(legacyPool, 'carol', 'not-her-password')).statusCode).toBe(401);
    expect((await login(legacyPool, 'boom', LEGACY_PASSWORD)).statusCode).toBe(502);
    expect((await login(legacyPool, 'crash', LEGACY_PASSWORD)).statusCode).toBe(502);
    expect((await login(legacyPool, 'slow', LEGACY_PASSWORD)).statusCode).toBe(504);
  });
  afterAll(() => t.close());

  it('counts logins by pool, outcome and source', async () => {
    const metrics = await scrape();
    const logins = (pool: string, outcome: string, source: string) => metrics.value('gatehouse_logins_total', { pool, outcome, source });
    expect(logins(localPool, 'success', 'local')).toBe(1);
    expect(logins(localPool, 'wrong_password', 'none')).toBe(2);
    expect(logins(localPool, 'throttled', 'none')).toBe(1);
    // the first login migrated bob, the second found him local: both are migrated users
    expect(logins(legacyPool, 'success', 'migrated')).toBe(2);
    expect(logins(legacyPool, 'wrong_password', 'none')).toBe(1);
    expect(logins(legacyPool, 'error', 'none')).toBe(2);
    expect(logins(legacyPool, 'timeout', 'none')).toBe(1);
    expect(metrics.samples('gatehouse_logins_total').reduce((sum, sample) => sum + Number(sample.value), 0)).toBe(10);
  });

  it('counts script calls by outcome kind, with their latency, and the one lazy migration', async () => {
    const metrics = await scrape();
    const calls = (outcome: string) => metrics.value('gatehouse_script_calls_total', { pool: legacyPool, script: 'login', outcome });
    expect([calls('ok'), calls('typed_error'), calls('error'), calls('crash'), calls('timeout')]).toEqual([1, 1, 1, 1, 1]);
    // bob's second login was answered locally: no script call
    expect(metrics.samples('gatehouse_script_calls_total', { pool: legacyPool }).reduce((sum, s) => sum + Number(s.value), 0)).toBe(5);
    const latency = { pool: legacyPool, script: 'login' };
    expect(metrics.value('gatehouse_script_call_duration_seconds_count', latency)).toBe(5);
    expect(metrics.value('gatehouse_script_call_duration_seconds_bucket', { ...latency, le: '+Inf' })).toBe(5);
    // the timed-out call took at least its 300 ms limit
    expect(metrics.value('gatehouse_script_call_duration_seconds_sum', latency)).toBeGreaterThanOrEqual(0.3);
    expect(metrics.value('gatehouse_script_call_duration_seconds_bucket', { ...latency, le: '0.25' })).toBeLessThanOrEqual(4);
    expect(metrics.value('gatehouse_users_migrated_total', { pool: legacyPool })).toBe(1);
    expect(metrics.value('gatehouse_users_migrated_total', { pool: localPool })).toBe(0);
  });

  it('counts HTTP requests by route pattern and status, with a latency histogram', async () => {
    const metrics = await scrape();
    const route = '/api/v1/pools/:poolId/auth/login';
    expect(metrics.value('gatehouse_http_requests_total', { method: 'POST', route, status: '200' })).toBe(3);
    expect(metrics.value('gatehouse_http_requests_total', { method: 'POST', route, status: '429' })).toBe(1);
    expect(metrics.value('gatehouse_http_requests_total', { method: 'POST', route, status: '504' })).toBe(1);
    expect(metrics.value('gatehouse_http_request_duration_seconds_count', { method: 'POST', route })).toBe(10);
    expect(metrics.family('gatehouse_http_request_duration_seconds_bucket').type).toBe('HISTOGRAM');
    expect(metrics.family('gatehouse_process_resident_memory_bytes').type).toBe('GAUGE');
  });

  it('keeps the route label bounded: a hundred distinct paths add no label value', async () => {
    const before = (await scrape()).labelValues('gatehouse_http_requests_total', 'route');
    const probes: string[] = [];
    for (let i = 0; i < 100; i++) {
      const id = randomUUID();
      probes.push(id);
      // a real route with ids in its path (404 USER_NOT_FOUND / POOL_NOT_FOUND) and a path no route matches
      const url = i % 2 === 0 ? `/api/v1/pools/${localPool}/users/${id}` : `/no-such-page/${id}/alice@example.com`;
      const response = await t.admin('GET', url);
      expect(response.statusCode).toBe(404);
    }
    const metrics = await scrape();
    const routes = metrics.labelValues('gatehouse_http_requests_total', 'route');
    const added = [...routes].filter((route) => !before.has(route));
    expect(added.sort()).toEqual(['(unmatched)', '/api/v1/pools/:poolId/users/:userId'].filter((route) => !before.has(route)).sort());
    expect(metrics.value('gatehouse_http_requests_total', { method: 'GET', route: '(unmatched)', status: '404' })).toBe(50);
    // no id, email or raw path in any label of any metric
    const text = (await t.request('GET', '/metrics', { token: METRICS_TOKEN })).body;
    for (const secret of [...probes, aliceId, 'alice@example.com', 'bob@legacy.example', 'legacy-bob', '/no-such-page']) {
      expect(text).not.toContain(secret);
    }
    // every series of every metric is bounded: at most the pools times the closed sets
    const series = metrics.families.reduce((sum, family) => sum + family.metrics.length, 0);
    expect(series).toBeLessThan(400);
  });

  it('reports runtimes alive and counts their restarts by reason (a crash, a timeout, a kill)', async () => {
    const restarts = async (reason: string) => (await scrape()).value('gatehouse_script_runtime_restarts_total', { reason });
    // the timed-out call retired its runtime; its exit is counted once it is gone
    await eventually(async () => (await restarts('timeout')) === 1, 'the timeout restart');
    expect(await restarts('crash')).toBe(1);
    expect((await login(legacyPool, 'dave', LEGACY_PASSWORD)).statusCode).toBe(200);
    expect((await scrape()).value('gatehouse_script_runtimes_alive')).toBe(1);

    const pid = t.server.runtimes.runtimePid(legacyPool);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid ?? 0, 'SIGKILL');
    await eventually(async () => (await restarts('crash')) === 2, 'the crash restart');
    let metrics = await scrape();
    expect(metrics.value('gatehouse_script_runtimes_alive')).toBe(0);
    expect(metrics.value('gatehouse_script_runtime_restarts_total', { reason: 'timeout' })).toBe(1);

    expect((await login(legacyPool, 'erin', LEGACY_PASSWORD)).statusCode).toBe(200);
    metrics = await scrape();
    expect(metrics.value('gatehouse_script_runtimes_alive')).toBe(1);
    expect(metrics.value('gatehouse_users_migrated_total', { pool: legacyPool })).toBe(3);
  });

  it('answers per-minute pool stats on the controlled clock', async () => {
    clock.advance(2 * 60_000);
    expect((await login(localPool, 'nobody', 'wrong-password-9')).statusCode).toBe(401);
    const response = await t.admin('GET', `/api/v1/pools/${legacyPool}/stats?window=15m`);
    expect(response.statusCode, response.body).toBe(200);
    const stats = response.json() as {
      window: string;
      scope: string;
      migratedUsers: number;
      minutes: { at: string; logins: Record<string, number>; scriptCalls: number; latencyMs: { p50: number | null; p99: number | null }; migrated: number }[];
    };
    expect(stats).toMatchObject({ window: '15m', scope: 'instance', migratedUsers: 3 });
    expect(stats.minutes).toHaveLength(15);
    expect(stats.minutes.at(-1)?.at).toBe('2026-11-30T12:02:00.000Z');
    const noon = stats.minutes.find((minute) => minute.at === '2026-11-30T12:00:00.000Z');
    // everything so far happened at 12:00:30 on the fake clock
    expect(noon?.logins).toMatchObject({ success: 4, wrong_password: 1, error: 2, timeout: 1, throttled: 0 });
    expect(noon?.scriptCalls).toBe(7);
    expect(noon?.migrated).toBe(3);
    expect(noon?.latencyMs.p99).toBeGreaterThanOrEqual(250);
    expect(noon?.latencyMs.p50).not.toBeNull();
    const quiet = stats.minutes.filter((minute) => minute !== noon);
    expect(quiet.every((minute) => minute.scriptCalls === 0 && minute.latencyMs.p50 === null && minute.migrated === 0)).toBe(true);

    const local = (await t.admin('GET', `/api/v1/pools/${localPool}/stats`)).json() as typeof stats;
    expect(local.window).toBe('1h');
    expect(local.minutes).toHaveLength(60);
    expect(local.minutes.at(-1)?.logins.wrong_password).toBe(1);
    expect(local.minutes.at(-3)?.logins).toMatchObject({ success: 1, wrong_password: 2, throttled: 1 });
  });

  it('refuses bad stats requests', async () => {
    const bad = await t.admin('GET', `/api/v1/pools/${localPool}/stats?window=2h`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('window') });
    expect((await t.admin('GET', `/api/v1/pools/no-such-pool/stats`)).json().error.code).toBe('POOL_NOT_FOUND');
    expect((await t.request('GET', `/api/v1/pools/${localPool}/stats`)).statusCode).toBe(401);
    expect((await t.request('GET', `/api/v1/pools/${localPool}/stats`, { token: METRICS_TOKEN })).statusCode).toBe(401);
  });
});

describe('who may read /metrics', () => {
  let withToken: TestServer;
  let withoutToken: TestServer;
  beforeAll(async () => {
    [withToken, withoutToken] = await Promise.all([
      startTestServer('sqlite', { metricsToken: METRICS_TOKEN }, { runtimes: { warmSpare: false } }),
      startTestServer('sqlite', {}, { runtimes: { warmSpare: false } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([withToken.close(), withoutToken.close()]);
  });

  it('answers 401 in the API error shape without a bearer or with a wrong one', async () => {
    for (const server of [withToken, withoutToken]) {
      for (const token of [null, 'not-the-token-at-all', `${METRICS_TOKEN}x`]) {
        const response = await server.request('GET', '/metrics', { token });
        expect(response.statusCode).toBe(401);
        expect(response.json().error).toMatchObject({ code: 'UNAUTHORIZED', requestId: expect.any(String) });
        expect(response.body).not.toContain('gatehouse_');
      }
    }
  });

  it('takes GATEHOUSE_METRICS_TOKEN when set, and then not the admin token', async () => {
    expect((await withToken.request('GET', '/metrics', { token: METRICS_TOKEN })).statusCode).toBe(200);
    expect((await withToken.request('GET', '/metrics', { token: ADMIN_TOKEN })).statusCode).toBe(401);
  });

  it('takes the admin token when GATEHOUSE_METRICS_TOKEN is unset', async () => {
    const response = await withoutToken.request('GET', '/metrics', { token: ADMIN_TOKEN });
    expect(response.statusCode).toBe(200);
    expect(parseScrape(response.body).family('gatehouse_logins_total').type).toBe('COUNTER');
    expect((await withoutToken.request('GET', '/metrics', { token: METRICS_TOKEN })).statusCode).toBe(401);
  });

  it('reads GATEHOUSE_METRICS_TOKEN from the environment and refuses a short one', () => {
    const good = loadConfig({ GATEHOUSE_METRICS_TOKEN: METRICS_TOKEN });
    expect(good.ok && good.config.metricsToken).toBe(METRICS_TOKEN);
    const unset = loadConfig({});
    expect(unset.ok && unset.config.metricsToken).toBeUndefined();
    const short = loadConfig({ GATEHOUSE_METRICS_TOKEN: 'short' });
    expect(short.ok ? [] : short.problems).toEqual([expect.stringContaining('GATEHOUSE_METRICS_TOKEN must be at least 16 characters')]);
  });
});
