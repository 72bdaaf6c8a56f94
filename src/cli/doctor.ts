/**
 * `gatehouse doctor`: checks what a start needs and what serving needs (the store, the
 * keys, the script sandbox, SMTP, the public URL, each pool's custom database) without
 * starting the server or changing the store, and says how to fix each problem. Exits 1
 * when something is wrong, so a deploy script can gate on it.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../config/config.js';
import { connectStore, migrationStatus, postgresServerAddress, sqliteFile, type Store } from '../store/database.js';
import { settingsRepository } from '../store/settings.js';
import { poolsRepository } from '../store/pools.js';
import { oidcKeysRepository } from '../store/oidc-keys.js';
import { customDbRepository } from '../store/custom-db.js';
import { createSecretBox, type SecretBox } from '../secrets/secret-box.js';
import { existingSecretKey, opensCheckValue, secretKeyFile } from '../secrets/secret-key.js';
import { ScriptRuntimePool, sandboxStatusFor } from '../script-runtime/index.js';
import { connectionConfigs } from '../custom-db/connection-configs.js';
import { createScriptCaller } from '../custom-db/script-caller.js';
import type { ConnectionLog } from '../custom-db/connection-log.js';
import { checkSmtp } from '../mail/mailer.js';
import type { Pool } from '../domain/pool.js';
import { coloursOn, painter, type CliIo } from './output.js';
import { briefReason, isStoreUnreachable, storeWhere } from './startup-failures.js';

export const DOCTOR_HELP = `Usage: gatehouse doctor [--json]

Checks the configuration in the environment and what the server depends on, without
starting it or changing the store: the configuration, the data directory, the store
(reachable, migrated, latency), the secret and signing keys, the script sandbox, SMTP,
the public URL, and each pool's custom database connection (a getUser of a user that
does not exist). Prints ✓, ! (works, but read the note) or ✗ with the fix for each.

Exit status: 0 when nothing is wrong (warnings allowed), 1 when a check failed, 2 on a bad option.

Options:
  --json      the report as one JSON object on stdout
  -h, --help  show this help`;

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface Check {
  /** what was checked, e.g. `store` or `pool Acme: custom database` */
  name: string;
  status: CheckStatus;
  /** what was found, one line */
  detail: string;
  /** what to do, for `warn` and `fail` */
  fix?: string;
  durationMs?: number;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/** A query of the store that does not exist anywhere: the custom database checks look it up. */
const PROBE_QUERY = { email: 'gatehouse-doctor-probe@nonexistent.invalid' };
const LATENCY_SAMPLES = 5;
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const isLoopback = (host: string): boolean => LOOPBACK_NAMES.has(host) || host.startsWith('127.');

const ok = (name: string, detail: string, durationMs?: number): Check => ({ name, status: 'ok', detail, ...(durationMs === undefined ? {} : { durationMs }) });
const warn = (name: string, detail: string, fix: string): Check => ({ name, status: 'warn', detail, fix });
const bad = (name: string, detail: string, fix: string, durationMs?: number): Check => ({
  name,
  status: 'fail',
  detail,
  fix,
  ...(durationMs === undefined ? {} : { durationMs }),
});
const skipped = (name: string, detail: string): Check => ({ name, status: 'skipped', detail });

export async function runDoctor(options: { json: boolean }, io: CliIo): Promise<number> {
  const report = await diagnose(io.env);
  if (options.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(formatReport(report, painter(coloursOn(io.stdout, io.env))));
  return report.ok ? 0 : 1;
}

export async function diagnose(env: CliIo['env']): Promise<DoctorReport> {
  const checks: Check[] = [];
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    checks.push(bad('configuration', `${String(loaded.problems.length)} setting(s) are wrong: ${loaded.problems.join(' ')}`, 'Fix the settings named above (README, "Configuration").'));
    return finish(checks);
  }
  const { config } = loaded;
  checks.push(ok('configuration', `valid; store: ${storeWhere(config.databaseUrl)}; listens on ${config.host}:${String(config.port)}`));
  checks.push(dataDirCheck(config));
  checks.push(publicUrlCheck(config));
  checks.push(sandboxCheck(config));
  checks.push(await smtpCheck(config));

  const opened = await storeChecks(config);
  checks.push(...opened.checks);
  if (opened.store !== undefined) {
    try {
      const key = secretKeyCheck(config);
      if (key.box === undefined && key.check.status === 'ok' && (await opensCheckValue(settingsRepository(opened.store.db), undefined)) === false) {
        key.check = bad('secret key', `${key.check.detail}, but this store was started with a key before: a new one would not open its secrets`, 'GATEHOUSE_SECRET_KEY: set it to the key this store was first started with (or restore <data dir>/secret.key).');
      }
      checks.push(key.check);
      const pools = await allPools(opened.store);
      if (key.box !== undefined) {
        checks.push(await signingKeysCheck(opened.store, key.box, pools));
        checks.push(...(await customDbChecks(config, opened.store, key.box, pools)));
      } else {
        checks.push(skipped('signing keys', 'not checked: the secret key is not usable'));
      }
    } finally {
      await opened.store.close();
    }
  }
  return finish(checks);
}

const finish = (checks: Check[]): DoctorReport => ({ ok: checks.every((check) => check.status !== 'fail'), checks });

/** Whether the data dir exists (or can be made) and takes a file; needed unless the store and the key both come from elsewhere. */
function dataDirCheck(config: Config): Check {
  const name = 'data directory';
  if (config.databaseUrl !== undefined && config.secretKey !== undefined) return skipped(name, 'not used: DATABASE_URL and GATEHOUSE_SECRET_KEY are set');
  const fix = 'GATEHOUSE_DATA_DIR: point it at a directory this user can create and write, or fix the owner and mode of this one.';
  try {
    if (!existsSync(config.dataDir)) {
      // Would a start be able to create it? The nearest existing parent has to be a writable directory.
      let parent = path.dirname(config.dataDir);
      while (!existsSync(parent)) parent = path.dirname(parent);
      if (!statSync(parent).isDirectory()) return bad(name, `${config.dataDir} cannot be created: ${parent} is not a directory`, fix);
      accessSync(parent, constants.W_OK);
      return ok(name, `${config.dataDir} does not exist yet; the first start creates it`);
    }
    if (!statSync(config.dataDir).isDirectory()) return bad(name, `${config.dataDir} is not a directory`, fix);
    accessSync(config.dataDir, constants.W_OK);
    return ok(name, `${config.dataDir} is writable`);
  } catch (error) {
    return bad(name, `${config.dataDir} is not writable (${briefReason(error)})`, fix);
  }
}

/** GATEHOUSE_PUBLIC_URL against HOST/PORT: issuers and email links derive from it. */
function publicUrlCheck(config: Config): Check {
  const name = 'public URL';
  const listensOnLoopback = isLoopback(config.host);
  if (config.publicUrl === undefined) {
    if (listensOnLoopback) return ok(name, `not set: http://${config.host}:${String(config.port)}, fine while only this machine connects`);
    return bad(
      name,
      `not set, while the server listens on ${config.host}: issuers and email links would say http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${String(config.port)}`,
      'GATEHOUSE_PUBLIC_URL: set it to the https address browsers use, e.g. https://id.example.com.',
    );
  }
  const url = new URL(config.publicUrl);
  const publicHost = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'https:' && !isLoopback(publicHost)) {
    return bad(name, `${config.publicUrl} is plain http on a non-loopback host: sign-ins and tokens would cross the network unencrypted`, 'GATEHOUSE_PUBLIC_URL: use https (terminate TLS in a reverse proxy in front of Gatehouse).');
  }
  if (isLoopback(publicHost)) {
    const publicPort = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    if (config.port !== 0 && publicPort !== config.port) {
      return bad(name, `${config.publicUrl} points at port ${String(publicPort)} of this machine, but the server listens on ${String(config.port)}`, 'GATEHOUSE_PUBLIC_URL or PORT: make them agree (or put the proxy that listens there in front).');
    }
    if (!listensOnLoopback && config.host !== '0.0.0.0' && config.host !== '::') {
      return bad(name, `${config.publicUrl} is a loopback address, but the server listens on ${config.host} only`, 'HOST: listen on 127.0.0.1 (or 0.0.0.0), or set GATEHOUSE_PUBLIC_URL to the address browsers use.');
    }
  }
  return ok(name, config.publicUrl);
}

function sandboxCheck(config: Config): Check {
  const name = 'script sandbox';
  const status = sandboxStatusFor({ listenHost: config.host, allowUnsandboxed: config.unsafeScripts === true });
  if (!status.scriptsAllowed) return bad(name, status.warning ?? `scripts are disabled (${status.reason})`, 'Install bubblewrap (apt install bubblewrap) and allow unprivileged user namespaces, or set GATEHOUSE_UNSAFE_SCRIPTS=1 if you trust every script author.');
  if (status.warning !== undefined) return warn(name, `${status.level}: ${status.warning}`, 'Install bubblewrap (apt install bubblewrap) and allow unprivileged user namespaces for the full sandbox.');
  return ok(name, `${status.level}: ${status.reason}`);
}

async function smtpCheck(config: Config): Promise<Check> {
  const name = 'SMTP';
  if (config.smtpUrl === undefined) return ok(name, 'not set: mail is kept in each pool\'s development outbox');
  const url = new URL(config.smtpUrl);
  const where = `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? '465' : '587')}`;
  const checked = await checkSmtp(config.smtpUrl);
  if (checked.ok) return ok(name, `${where} accepted the connection and EHLO${url.username === '' ? '' : ' and the login'}`, checked.durationMs);
  return bad(
    name,
    `${where}: ${checked.reason}`,
    checked.code === 'EAUTH'
      ? 'GATEHOUSE_SMTP_URL: correct the user name and password.'
      : 'GATEHOUSE_SMTP_URL: check the host, port and scheme (smtps:// for implicit TLS, usually port 465; smtp:// with STARTTLS, usually 587), and that the mail server is up.',
    checked.durationMs,
  );
}

/** Reachable, migrated, and how long a round trip takes; never migrates or creates anything. */
async function storeChecks(config: Config): Promise<{ checks: Check[]; store?: Store }> {
  const name = 'store';
  if (config.databaseUrl === undefined && !existsSync(sqliteFile(config.dataDir))) {
    return { checks: [ok(name, `${sqliteFile(config.dataDir)} does not exist yet; the first start creates and migrates it`)] };
  }
  let store: Store;
  try {
    store = connectStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (error) {
    return { checks: [bad(name, `${storeWhere(config.databaseUrl)} cannot be opened (${briefReason(error)})`, 'GATEHOUSE_DATA_DIR: point it at a directory this user can read and write.')] };
  }
  const samples: number[] = [];
  try {
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const started = performance.now();
      await sql`select 1`.execute(store.db);
      samples.push(performance.now() - started);
    }
  } catch (error) {
    await store.close();
    const fix = isStoreUnreachable(error, config)
      ? 'DATABASE_URL: check its host and port, and that PostgreSQL is running and accepts TCP connections there.'
      : 'DATABASE_URL: check the user, password and database name (postgres://user:password@host:port/database).';
    return { checks: [bad(name, `${storeWhere(config.databaseUrl)} is not usable (${briefReason(error)})`, fix)] };
  }
  // The first round trip opens the connection; the median of the rest is the query latency.
  const latency = samples.slice(1).sort((a, b) => a - b)[Math.floor((samples.length - 1) / 2)] ?? 0;
  const reached = ok(name, `${storeWhere(config.databaseUrl)} answers in ${latency.toFixed(1)} ms (median of ${String(samples.length - 1)} round trips)`, latency);
  const status = await migrationStatus(store.db);
  if (status.unknown.length > 0) {
    return {
      checks: [reached, bad('store schema', `migrated by a newer Gatehouse (${status.unknown.join(', ')}): this build refuses to start on it`, 'Run the newer build, or point DATABASE_URL / GATEHOUSE_DATA_DIR at a store of this version.')],
      store,
    };
  }
  const schema = status.pending.length === 0 ? ok('store schema', 'migrated to this build\'s latest') : ok('store schema', `${String(status.pending.length)} migration(s) of this build will run at the next start`);
  return { checks: [reached, schema], store };
}

/** The key a start would use, read but never generated. */
function secretKeyCheck(config: Config): { check: Check; box?: SecretBox } {
  const name = 'secret key';
  const origin = config.secretKey === undefined ? secretKeyFile(config.dataDir) : 'GATEHOUSE_SECRET_KEY';
  let key: Buffer | undefined;
  try {
    key = existingSecretKey(config.secretKey, config.dataDir);
  } catch (error) {
    return { check: bad(name, `${origin}: ${briefReason(error)}`, 'Restore the original secret.key, or set GATEHOUSE_SECRET_KEY to the original key.') };
  }
  if (key === undefined) return { check: ok(name, `no GATEHOUSE_SECRET_KEY and no ${origin}: the first start generates one there`) };
  return { check: ok(name, `from ${origin}`), box: createSecretBox(key) };
}

async function allPools(store: Store): Promise<Pool[]> {
  const repository = poolsRepository(store.db);
  const pools: Pool[] = [];
  for (let page = 1; ; page++) {
    const { list, totalCount } = await repository.list(page, 100);
    pools.push(...list);
    if (list.length === 0 || pools.length >= totalCount) return pools;
  }
}

/** The check value sealed at the first start, then every pool's sealed private signing keys. */
async function signingKeysCheck(store: Store, box: SecretBox, pools: Pool[]): Promise<Check> {
  const name = 'secret and signing keys';
  const mismatchFix = 'GATEHOUSE_SECRET_KEY: set it to the key this store was first started with (or restore <data dir>/secret.key).';
  if ((await opensCheckValue(settingsRepository(store.db), box)) === false) {
    return bad(name, 'the secret key cannot open the check value this store sealed: a start would refuse it', mismatchFix);
  }
  const keys = oidcKeysRepository(store.db);
  let count = 0;
  let withoutKeys = 0;
  for (const pool of pools) {
    const rows = await keys.list(pool.id);
    if (rows.length === 0) withoutKeys++;
    for (const row of rows) {
      if (box.open(row.private_jwk) === undefined) return bad(name, `signing key ${row.kid} of pool ${pool.name} cannot be opened with the secret key`, mismatchFix);
      count++;
    }
  }
  const later = withoutKeys > 0 ? `; ${String(withoutKeys)} pool(s) get theirs at their first OpenID request` : '';
  return ok(name, `the secret key opens the store's check value and ${String(count)} signing key(s)${later}`);
}

/** Connection log entries of the doctor's probes are not the pool's traffic: they are not kept. */
const unrecordedLog: ConnectionLog = { append: () => undefined, list: async () => [], flush: async () => undefined };

/** Each pool with an enabled connection: its getUser script, for a user that does not exist, timed. */
async function customDbChecks(config: Config, store: Store, box: SecretBox, pools: Pool[]): Promise<Check[]> {
  const configs = connectionConfigs(customDbRepository(store.db), box);
  const enabled: { pool: Pool; config: Awaited<ReturnType<typeof configs.load>> }[] = [];
  for (const pool of pools) {
    const loaded = await configs.load(pool.id);
    if (loaded.enabled) enabled.push({ pool, config: loaded });
  }
  if (enabled.length === 0) return [ok('custom databases', pools.length === 0 ? 'no pools yet' : `none of the ${String(pools.length)} pool(s) has a connection enabled`)];
  const runtimes = new ScriptRuntimePool({ listenHost: config.host, allowUnsandboxed: config.unsafeScripts === true });
  const storeService = config.databaseUrl === undefined ? undefined : postgresServerAddress(config.databaseUrl);
  const services = { http: { host: config.host, port: config.port }, ...(storeService === undefined ? {} : { store: storeService }) };
  try {
    const checks: Check[] = [];
    for (const { pool, config: connection } of enabled) {
      const name = `pool ${pool.name}: custom database`;
      if (connection.scripts.getUser === null) {
        checks.push(warn(name, `enabled in ${connection.mode} mode without a getUser script`, 'Add a getUser script in the console (the pool → Custom database): registration and lookups need it.'));
        continue;
      }
      const outcome = await createScriptCaller(pool, connection, runtimes, unrecordedLog, services).call('getUser', [PROBE_QUERY]);
      const notFound = outcome.ok ? outcome.result === null : outcome.error.name === 'UserNotFoundError';
      if (notFound) checks.push(ok(name, `getUser of a user that does not exist answered "not found" in ${outcome.durationMs.toFixed(0)} ms`, outcome.durationMs));
      else if (outcome.ok) checks.push(warn(name, `getUser of ${PROBE_QUERY.email} returned a user`, 'Check the getUser script: it should return null for a user that does not exist.'));
      else {
        checks.push(
          bad(
            name,
            `getUser failed in ${outcome.durationMs.toFixed(0)} ms: ${outcome.error.name}: ${outcome.error.message}`,
            `Open the pool's Custom database page in the console and run getUser in Debug; check the connection (database up, credentials) and the script (pool id ${pool.id}).`,
            outcome.durationMs,
          ),
        );
      }
    }
    return checks;
  } finally {
    await runtimes.close();
  }
}

const SYMBOLS: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skipped: '-' };

export function formatReport(report: DoctorReport, paint: ReturnType<typeof painter>): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.map((check) => {
    const symbol = SYMBOLS[check.status];
    const styled = check.status === 'ok' ? paint('green', symbol) : check.status === 'fail' ? paint('red', symbol) : check.status === 'warn' ? paint('yellow', symbol) : paint('dim', symbol);
    const fix = check.fix === undefined ? '' : `\n  ${' '.repeat(width)}  ${paint('bold', 'fix:')} ${check.fix}`;
    return `${styled} ${check.name.padEnd(width)}  ${check.detail}${fix}`;
  });
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const summary = failed === 0 ? paint('green', 'Nothing is wrong.') : paint('red', `${String(failed)} problem(s) found.`);
  return `${lines.join('\n')}\n\n${summary}\n`;
}

