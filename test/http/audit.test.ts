/**
 * The audit log: every kind of admin change recorded with its actor, time, pool, target and
 * a per-field diff whose secrets are masked, newest first and per pool; entries age out
 * after the retention, swept with a clock the test controls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDialect } from '../support/dialects.js';
import { startTestServer, type StoreDialect, type TestServer } from '../support/server.js';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/store/database.js';
import { auditLog } from '../../src/audit/audit-log.js';
import { auditLogRepository } from '../../src/store/audit-log.js';
import { OWNER } from '../../src/domain/actor.js';
import type { AuditEntry } from '../../src/domain/audit.js';

const QUIET = { runtimes: { warmSpare: false } };
const MASK = '********';
const ENV_SECRET = 'env-secret-value-4711';
const URI_PASSWORD = 'uri-password-0815';
const PARAM_SECRET = 'param-secret-1234';
const NEW_URI_PASSWORD = 'uri-password-changed-99';
const USER_PASSWORD = 'user-password-shhh';
const LOGIN_SCRIPT = 'async function login(query, password, context) {\n  return null;\n}\n';
const DAY = 24 * 60 * 60 * 1000;

interface Entry {
  at: string;
  actor: { keyId: string; name: string };
  action: string;
  poolId: string | null;
  target: { type: string; id: string };
  changes: Record<string, { from?: unknown; to?: unknown }>;
}

describeEachDialect('audit log', (dialect: StoreDialect) => {
  let t: TestServer;
  let key: { id: string; token: string };
  beforeAll(async () => {
    t = await startTestServer(dialect, {}, QUIET);
    const created = await t.admin('POST', '/api/v1/admin-keys', { name: 'ops' });
    key = created.json();
  });
  afterAll(() => t.close());

  /** An admin request made with the named key `ops`. */
  const asOps = (method: string, url: string, body?: unknown) => t.request(method, url, { token: key.token, body });
  const audit = async (query = ''): Promise<{ totalCount: number; list: Entry[] }> => {
    const response = await t.admin('GET', `/api/v1/audit?limit=100${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  /** The newest entry of an action; fails when there is none. */
  const latest = async (action: string, poolId?: string): Promise<Entry> => {
    const entry = (await audit(poolId ? `&poolId=${poolId}` : '')).list.find((candidate) => candidate.action === action);
    if (!entry) throw new Error(`no ${action} entry`);
    return entry;
  };

  it('records pool changes with the actor that made them, newest first', async () => {
    const created = await asOps('POST', '/api/v1/pools', { name: 'Audited', metadata: { team: 'a' } });
    const poolId = created.json().id as string;
    await asOps('PATCH', `/api/v1/pools/${poolId}`, { name: 'Audited too' });
    const [update, create] = (await audit(`&poolId=${poolId}`)).list;
    expect(create).toMatchObject({
      actor: { keyId: key.id, name: 'ops' },
      action: 'pool.create',
      poolId,
      target: { type: 'pool', id: poolId },
      changes: { name: { to: 'Audited' }, metadata: { to: { team: 'a' } } },
    });
    expect(new Date(create?.at ?? '').toISOString()).toBe(create?.at);
    expect(update).toMatchObject({ action: 'pool.update', changes: { name: { from: 'Audited', to: 'Audited too' } } });
    expect(Object.keys(update?.changes ?? {})).toEqual(['name']);

    expect((await t.admin('DELETE', `/api/v1/pools/${poolId}`)).statusCode).toBe(204);
    expect(await latest('pool.delete', poolId)).toMatchObject({ actor: { keyId: 'owner', name: 'owner' }, changes: { name: { from: 'Audited too' } } });
  });

  it('records connection saves as a per-field diff in which secrets never appear', async () => {
    const poolId = await t.createPool('Connection audit');
    const url = `/api/v1/pools/${poolId}/custom-db`;
    const first = await asOps('PUT', url, {
      enabled: false,
      connection: { type: 'uri', uri: `postgres://legacy:${URI_PASSWORD}@127.0.0.1:5432/legacy?sslpassword=${PARAM_SECRET}` },
      env: { API_KEY: ENV_SECRET },
      scripts: { login: LOGIN_SCRIPT },
    });
    expect(first.statusCode, first.body).toBe(200);
    const saved = await latest('custom-db.save', poolId);
    expect(saved).toMatchObject({ actor: { name: 'ops' }, target: { type: 'custom-db', id: poolId } });
    expect(saved.changes).toEqual({
      'connection.type': { from: null, to: 'uri' },
      'connection.uri': { to: `postgres://legacy:${MASK}@127.0.0.1:5432/legacy?sslpassword=${MASK}` },
      'env.API_KEY': { to: MASK },
      'scripts.login': { from: null, to: '3 lines' },
    });

    // Only secrets change: the diff names them, masked on both sides.
    await t.admin('PUT', url, {
      connection: { type: 'uri', uri: `postgres://legacy:${NEW_URI_PASSWORD}@127.0.0.1:5432/legacy?sslpassword=${MASK}` },
      env: { API_KEY: `${ENV_SECRET}-rotated` },
    });
    const masked = `postgres://legacy:${MASK}@127.0.0.1:5432/legacy?sslpassword=${MASK}`;
    expect((await latest('custom-db.save', poolId)).changes).toEqual({
      'connection.uri': { from: masked, to: masked },
      'env.API_KEY': { from: MASK, to: MASK },
    });

    // The masks sent back keep the secrets: only what really changed is recorded.
    await t.admin('PUT', url, { connection: { type: 'uri', uri: masked }, env: { API_KEY: MASK }, timeoutMs: 4000, scripts: { login: null } });
    expect((await latest('custom-db.save', poolId)).changes).toEqual({
      timeoutMs: { from: 5000, to: 4000 },
      'scripts.login': { from: '3 lines', to: null },
    });

    // A debug run is recorded by its script's name, never its arguments.
    await t.admin('POST', `${url}/debug`, { script: 'login', args: [{ email: 'a@example.com' }, USER_PASSWORD] });
    expect((await latest('custom-db.debug', poolId)).changes).toEqual({ script: { to: 'login' } });

    const everything = JSON.stringify((await audit()).list) + JSON.stringify(await t.server.store.db.selectFrom('audit_log').selectAll().execute());
    for (const secret of [ENV_SECRET, URI_PASSWORD, PARAM_SECRET, NEW_URI_PASSWORD, USER_PASSWORD, 'return null']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('records user, application, signing key, email and key changes, masking passwords and secrets', async () => {
    const poolId = await t.createPool('Everything audited');
    const base = `/api/v1/pools/${poolId}`;
    const user = (await asOps('POST', `${base}/users`, { email: 'bob@example.com', password: USER_PASSWORD })).json();
    await asOps('PATCH', `${base}/users/${user.id}`, { blocked: true });
    await asOps('PATCH', `${base}/users/${user.id}`, { blocked: false });
    await asOps('PATCH', `${base}/users/${user.id}`, { nickname: 'Bobby', password: `${USER_PASSWORD}-2` });
    expect((await asOps('POST', `${base}/users/${user.id}/send-verification-email`)).statusCode).toBe(202);
    await asOps('DELETE', `${base}/users/${user.id}`);

    const app = (await asOps('POST', `${base}/applications`, { name: 'Shop', type: 'web', redirectUris: ['https://shop.example.com/cb'] })).json();
    await asOps('PATCH', `${base}/applications/${app.id}`, { name: 'Shop 2' });
    const rotated = (await asOps('POST', `${base}/applications/${app.id}/rotate-secret`)).json();
    await asOps('DELETE', `${base}/applications/${app.id}`);
    expect((await asOps('POST', `${base}/signing-keys/rotate`)).statusCode).toBe(204);
    await asOps('PUT', `${base}/email-settings`, { verifyEmailOnRegistration: true });

    const scoped = (await asOps('POST', '/api/v1/admin-keys', { name: 'team', poolId })).json();
    await asOps('DELETE', `/api/v1/admin-keys/${scoped.id}`);

    // The pool's own creation (by the owner, in createPool) is its oldest entry.
    const entries = (await audit(`&poolId=${poolId}`)).list.filter((entry) => entry.action !== 'pool.create');
    const actions = entries.map((entry) => entry.action).reverse();
    expect(actions).toEqual([
      'user.create',
      'user.block',
      'user.unblock',
      'user.update',
      'user.send-verification-email',
      'user.delete',
      'application.create',
      'application.update',
      'application.rotate-secret',
      'application.delete',
      'signing-keys.rotate',
      'email-settings.update',
      'admin-key.create',
      'admin-key.revoke',
    ]);
    expect(entries.every((entry) => entry.actor.keyId === key.id && entry.poolId === poolId)).toBe(true);
    const byAction = Object.fromEntries(entries.map((entry) => [entry.action, entry]));
    expect(byAction['user.create']).toMatchObject({ target: { type: 'user', id: user.id }, changes: { email: { to: 'bob@example.com' }, password: { to: MASK } } });
    expect(byAction['user.block']?.changes).toEqual({ blocked: { to: true } });
    expect(byAction['user.update']?.changes).toEqual({ nickname: { to: 'Bobby' }, password: { to: MASK } });
    expect(byAction['application.create']).toMatchObject({
      target: { type: 'application', id: app.id },
      changes: { name: { to: 'Shop' }, type: { to: 'web' }, clientId: { to: app.clientId }, redirectUris: { to: ['https://shop.example.com/cb'] } },
    });
    expect(byAction['application.update']?.changes).toEqual({ name: { from: 'Shop', to: 'Shop 2' } });
    expect(byAction['application.rotate-secret']?.changes).toEqual({ clientSecret: { from: MASK, to: MASK } });
    expect(byAction['email-settings.update']?.changes).toEqual({ verifyEmailOnRegistration: { from: false, to: true } });
    expect(byAction['admin-key.create']).toMatchObject({ target: { type: 'admin-key', id: scoped.id }, changes: { name: { to: 'team' }, poolId: { to: poolId } } });

    const text = JSON.stringify(entries);
    for (const secret of [USER_PASSWORD, app.clientSecret, rotated.clientSecret, scoped.token]) expect(text).not.toContain(secret);
  });

  it('records imports and job cancels with the job they started', async () => {
    const poolId = (await t.admin('POST', '/api/v1/pools', { name: 'Imported' })).json().id as string;
    const imported = await t.request('POST', `/api/v1/pools/${poolId}/users/import`, {
      token: key.token,
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"email":"imported@example.com","password":"imported-password-1"}\n',
    });
    expect(imported.statusCode, imported.body).toBe(202);
    const jobId = imported.json().jobId as string;
    expect(await latest('users.import', poolId)).toMatchObject({
      actor: { keyId: key.id, name: 'ops' },
      target: { type: 'job', id: jobId },
      changes: { format: { to: 'ndjson' } },
    });
    expect((await asOps('POST', `/api/v1/pools/${poolId}/jobs/${jobId}/cancel`)).statusCode).toBe(200);
    expect(await latest('job.cancel', poolId)).toMatchObject({ actor: { keyId: key.id }, target: { type: 'job', id: jobId } });
    expect(JSON.stringify(await audit(`&poolId=${poolId}`))).not.toContain('imported-password-1');
  });

  it('pages newest first, filters by pool and refuses a bad query naming the field', async () => {
    const poolId = await t.createPool('Paged');
    for (const name of ['one', 'two', 'three']) await t.admin('PATCH', `/api/v1/pools/${poolId}`, { name });
    const page1 = (await t.admin('GET', `/api/v1/audit?poolId=${poolId}&page=1&limit=2`)).json();
    const page2 = (await t.admin('GET', `/api/v1/audit?poolId=${poolId}&page=2&limit=2`)).json();
    expect(page1.totalCount).toBe(4);
    expect([...page1.list, ...page2.list].map((entry: Entry) => entry.changes['name']?.to)).toEqual(['three', 'two', 'one', 'Paged']);
    const all = await audit();
    expect(all.totalCount).toBeGreaterThan(page1.totalCount);
    const bad = await t.admin('GET', '/api/v1/audit?limit=1000');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/querystring\.limit/);
    expect((await t.request('GET', '/api/v1/audit')).statusCode).toBe(401);
  });
});

describeEachDialect('audit log retention', (dialect: StoreDialect) => {
  let t: TestServer;
  let clock = Date.parse('2030-01-01T00:00:00.000Z');
  beforeAll(async () => {
    t = await startTestServer(dialect, { auditRetentionDays: 30 }, { ...QUIET, now: () => clock });
  });
  afterAll(() => t.close());

  it('deletes entries older than GATEHOUSE_AUDIT_RETENTION_DAYS and keeps younger ones', async () => {
    const poolId = await t.createPool('Old');
    expect((await t.server.audit.sweep())).toBe(0);
    clock += 20 * DAY;
    await t.admin('PATCH', `/api/v1/pools/${poolId}`, { name: 'Younger' });
    clock += 11 * DAY;
    expect(await t.server.audit.sweep()).toBe(1);
    const left = (await t.admin('GET', `/api/v1/audit?poolId=${poolId}`)).json();
    expect(left.list.map((entry: Entry) => entry.action)).toEqual(['pool.update']);
    expect(left.list[0].at).toBe(new Date(Date.parse('2030-01-01T00:00:00.000Z') + 20 * DAY).toISOString());
    clock += 20 * DAY;
    expect(await t.server.audit.sweep()).toBe(1);
    expect((await t.admin('GET', `/api/v1/audit?poolId=${poolId}`)).json()).toEqual({ totalCount: 0, list: [] });
  });
});

describe('audit log settings and failures', () => {
  it('reads GATEHOUSE_AUDIT_RETENTION_DAYS, 90 by default, refusing nonsense with the fix', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { auditRetentionDays: 90 } });
    expect(loadConfig({ GATEHOUSE_AUDIT_RETENTION_DAYS: '7' })).toMatchObject({ ok: true, config: { auditRetentionDays: 7 } });
    for (const bad of ['0', '-1', 'a week', '1.5', '99999999']) {
      const result = loadConfig({ GATEHOUSE_AUDIT_RETENTION_DAYS: bad });
      expect(result.ok, bad).toBe(false);
      expect(result.ok ? '' : result.problems.join('\n')).toMatch(/GATEHOUSE_AUDIT_RETENTION_DAYS must be .*unset it to/);
    }
  });

  it('an entry the store cannot take is reported, and the change it describes is not failed', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-audit-'));
    const store = await openStore({ databaseUrl: undefined, dataDir });
    try {
      const lost: AuditEntry[] = [];
      const log = auditLog(auditLogRepository(store.db), {
        retentionDays: 1,
        now: Date.now,
        onLost: (_error, entry) => lost.push(entry),
        onSweepFailed: () => undefined,
      });
      await sql`drop table audit_log`.execute(store.db);
      await expect(log.record(OWNER, { action: 'pool.update', poolId: 'p', target: { type: 'pool', id: 'p' } })).resolves.toBeUndefined();
      expect(lost).toMatchObject([{ action: 'pool.update', actor: { keyId: 'owner' } }]);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
