/**
 * `gatehouse doctor` as a real process against a healthy setup (an embedded store with a
 * pool whose connection reaches a real PostgreSQL through the PostgreSQL template, an SMTP
 * server on loopback), then against each broken part: the store down, SMTP on a closed
 * port, a pool whose connection fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/doctor.js';
import { openStore } from '../../src/store/database.js';
import { settingsRepository } from '../../src/store/settings.js';
import { poolsRepository } from '../../src/store/pools.js';
import { customDbRepository } from '../../src/store/custom-db.js';
import { oidcKeysRepository } from '../../src/store/oidc-keys.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { verifySecretKey } from '../../src/secrets/secret-key.js';
import { connectionConfigs } from '../../src/custom-db/connection-configs.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { signingKeys } from '../../src/oidc/signing-keys.js';
import { OWNER } from '../../src/domain/actor.js';
import { seedPostgres } from '../../src/sample-db/seed.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { startSmtpReceiver, type SmtpReceiver } from '../mail/smtp-receiver.js';
import { closedPort, runGatehouse, killLeftovers } from './gatehouse-process.js';

const hasPostgres = await postgresReachable();
const key = randomBytes(32);
const directories: string[] = [];
let legacy: TestDatabase | undefined;
let smtp: SmtpReceiver | undefined;
let healthyDir = '';
let brokenPoolDir = '';

/** An embedded store as a start leaves it, with one pool connected to `uri` by the PostgreSQL template. */
async function storeWithPool(poolName: string, uri: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-doctor-'));
  directories.push(dir);
  const store = await openStore({ databaseUrl: undefined, dataDir: dir });
  try {
    const box = createSecretBox(key);
    await verifySecretKey(settingsRepository(store.db), box);
    const pool = await poolsRepository(store.db).create({ name: poolName, metadata: {} });
    const { login, getUser } = templateById('postgres').scripts;
    const saved = await connectionConfigs(customDbRepository(store.db), box).save(pool.id, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri },
      scripts: { login, getUser },
    }, { savedBy: OWNER, note: null });
    if (!saved.ok) throw new Error(saved.error.message);
    await signingKeys(oidcKeysRepository(store.db), box).forPool(pool.id);
  } finally {
    await store.close();
  }
  return dir;
}

beforeAll(async () => {
  if (!hasPostgres) return;
  legacy = await createPostgresDatabase('gh_cli_doctor');
  await seedPostgres(legacy.url);
  smtp = await startSmtpReceiver();
  healthyDir = await storeWithPool('Healthy', legacy.url);
  brokenPoolDir = await storeWithPool('Broken', `postgres://postgres@127.0.0.1:${String(await closedPort())}/legacy`);
}, 60_000);

afterAll(async () => {
  await smtp?.close();
  await legacy?.drop();
  directories.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const healthyEnv = (): Record<string, string> => ({
  GATEHOUSE_DATA_DIR: healthyDir,
  GATEHOUSE_SECRET_KEY: key.toString('base64'),
  GATEHOUSE_SMTP_URL: smtp?.url ?? '',
});

async function doctorJson(env: Record<string, string>): Promise<{ code: number | null; report: DoctorReport; byName: Map<string, DoctorReport['checks'][number]> }> {
  const { code, stdout, stderr } = await runGatehouse(['doctor', '--json'], env);
  let report: DoctorReport;
  try {
    report = JSON.parse(stdout) as DoctorReport;
  } catch {
    throw new Error(`doctor --json printed no JSON report:\n${stdout}\n${stderr}`);
  }
  return { code, report, byName: new Map(report.checks.map((check) => [check.name, check])) };
}

describe.skipIf(!hasPostgres).concurrent('gatehouse doctor (needs PostgreSQL)', { timeout: 90_000 }, () => {
  it('passes a healthy setup: store, keys, SMTP and the pool\'s getUser, timed', async () => {
    const { code, report, byName } = await doctorJson(healthyEnv());
    expect(report.checks.filter((check) => check.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(byName.get('store')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^the embedded SQLite store answers in \d+\.\d ms/) });
    expect(byName.get('store schema')).toMatchObject({ status: 'ok', detail: "migrated to this build's latest" });
    expect(byName.get('secret and signing keys')).toMatchObject({ status: 'ok', detail: expect.stringContaining('4 signing key(s)') });
    expect(byName.get('SMTP')).toMatchObject({ status: 'ok', detail: `127.0.0.1:${String(smtp?.port)} accepted the connection and EHLO` });
    expect(byName.get('pool Healthy: custom database')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^getUser of a user that does not exist answered "not found" in \d+ ms$/),
      durationMs: expect.any(Number),
    });
  });

  it('reports the store down with the fix, in human words, and exits 1', async () => {
    const port = await closedPort();
    const { code, stdout } = await runGatehouse(['doctor'], { ...healthyEnv(), DATABASE_URL: `postgres://postgres@127.0.0.1:${String(port)}/gatehouse` });
    expect(stdout).toContain(`✗ store`);
    expect(stdout).toContain(`PostgreSQL at 127.0.0.1:${String(port)}/gatehouse is not usable (connect ECONNREFUSED 127.0.0.1:${String(port)})`);
    expect(stdout).toMatch(/fix: DATABASE_URL: check its host and port/);
    expect(stdout).toContain('✓ SMTP');
    expect(stdout).toContain('1 problem(s) found.');
    // Not a terminal: no colour codes.
    expect(stdout).not.toContain('\u001b[');
    expect(code).toBe(1);
  });

  it('reports SMTP on a closed port', async () => {
    const port = await closedPort();
    const { code, report, byName } = await doctorJson({ ...healthyEnv(), GATEHOUSE_SMTP_URL: `smtp://127.0.0.1:${String(port)}` });
    expect(byName.get('SMTP')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`127.0.0.1:${String(port)}: connect ECONNREFUSED`),
      fix: expect.stringMatching(/^GATEHOUSE_SMTP_URL: check the host, port and scheme/),
    });
    expect(report.checks.filter((check) => check.status === 'fail').map((check) => check.name)).toEqual(['SMTP']);
    expect(code).toBe(1);
  });

  it("reports a pool whose connection fails, with the script's error and where to debug it", async () => {
    const { code, report, byName } = await doctorJson({ ...healthyEnv(), GATEHOUSE_DATA_DIR: brokenPoolDir });
    expect(byName.get('pool Broken: custom database')).toMatchObject({
      status: 'fail',
      // Through the egress broker, a closed port reads as a connection closed at once (or, when
      // pg is still writing its startup message, as a broken pipe).
      detail: expect.stringMatching(/^getUser failed in \d+ ms: Error: (Connection terminated unexpectedly|.*ECONNREFUSED|write EPIPE)/),
      fix: expect.stringContaining('run getUser in Debug'),
    });
    expect(report.checks.filter((check) => check.status === 'fail').map((check) => check.name)).toEqual(['pool Broken: custom database']);
    expect(code).toBe(1);
  });
});

afterAll(killLeftovers);
