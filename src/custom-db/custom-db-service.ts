/**
 * A pool's custom database connection as the rest of the server uses it: its config
 * (connection-configs.ts), a debug run of a saved script, the connection log, migration
 * progress, and the script caller of an enabled connection, from which users/ builds
 * the pool's directory.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { AuditFields } from '../domain/audit.js';
import type { Pool } from '../domain/pool.js';
import type { UsersRepository } from '../store/users.js';
import type { ScriptRuntimePool } from '../script-runtime/index.js';
import { normaliseHost } from '../script-runtime/index.js';
import type { CallOutcome, ScriptName } from './contract/script-contract.js';
import type { CustomDbConfig } from './connection-config.js';
import { maskConfig } from './config-secrets.js';
import { auditFieldsOf } from './config-audit.js';
import { maskExportedHashes } from './redaction.js';
import { databaseRules } from './contract/egress.js';
import { scriptEnv } from './runtime-spec.js';
import type { ConfigChanges, ConnectionConfigs, SavedConfig, SaveMeta } from './connection-configs.js';
import type { ConnectionLog } from './connection-log.js';
import type { CustomDbMode } from './modes.js';
import { createScriptCaller, prepareRuntime, type CallerGuard, type ScriptCaller } from './script-caller.js';
import type { ServerServices } from './runtime-spec.js';
import { DIALECT_SCRIPT_KEYS, type Auth0ScriptName } from './auth0/auth0-scripts.js';
import type { Auth0Entry } from './auth0/auth0-runtime.js';
import { changesFromAuth0Connection } from './auth0/auth0-import.js';
import type { Metrics } from '../metrics/metrics.js';
import { recordingCalls } from './call-metrics.js';
import { QUEUE_WAIT_MS, connectionGuards, type ConnectionHealth } from './breaker.js';
import type { VersionSummary } from '../store/custom-db.js';
import type { CustomDbFailureCode } from '../domain/error-codes.js';

export interface MigrationProgress {
  migratedUsers: number;
  lastMigratedAt: string | null;
}

export interface CustomDbService {
  /** The pool's config with secrets masked, and its revision (the ETag; 0 for a pool never configured). */
  getMasked(poolId: string): Promise<{ config: CustomDbConfig; revision: number }>;
  /** What an administrator should know about a config, e.g. that its database server is the server's own store. */
  warningsFor(config: CustomDbConfig): string[];
  /** Saves as the pool's newest version; PRECONDITION_FAILED when `meta.expectedRevision` is stale. */
  save(pool: Pool, changes: ConfigChanges, meta: SaveMeta): Promise<Result<SavedConfig, 'VALIDATION_ERROR' | 'PRECONDITION_FAILED'>>;
  versions(poolId: string, page: number, limit: number): Promise<{ totalCount: number; list: VersionSummary[] }>;
  /** One version, secrets masked. */
  version(poolId: string, version: number): Promise<Result<CustomDbConfig, 'NOT_FOUND'>>;
  restore(pool: Pool, version: number, meta: SaveMeta): Promise<Result<SavedConfig, 'NOT_FOUND' | 'PRECONDITION_FAILED'>>;
  /** The circuit and load of the pool's connection on this instance. */
  health(poolId: string): ConnectionHealth;
  /**
   * Runs a saved script for an administrator: not held back by an open circuit nor counted
   * towards it (the point is to see what fails), but within the concurrency cap.
   */
  debug(pool: Pool, script: ScriptName | Auth0ScriptName, args: unknown[]): Promise<Result<CallOutcome, CustomDbFailureCode>>;
  /** The pool's config as the audit log compares it: secrets masked, compared by hash (config-audit.ts). */
  auditFields(poolId: string): Promise<AuditFields>;
  /**
   * Saves an Auth0 database connection as Auth0's export writes it (dialect `auth0`) as the
   * newest version; `admit` sees the config it would store first (and may throw to refuse it).
   */
  importAuth0(
    pool: Pool,
    connection: unknown,
    meta: SaveMeta,
    admit?: (next: CustomDbConfig) => void,
  ): Promise<Result<SavedConfig, 'VALIDATION_ERROR' | 'PRECONDITION_FAILED'>>;
  logs: ConnectionLog;
  migration(poolId: string): Promise<MigrationProgress>;
  /** The scripts of the pool's enabled connection, or null when the pool has none enabled. */
  scriptsFor(pool: Pool): Promise<{ mode: CustomDbMode; scripts: ScriptCaller } | null>;
}

export interface CustomDbDependencies {
  configs: ConnectionConfigs;
  users: UsersRepository;
  runtimes: ScriptRuntimePool;
  log: ConnectionLog;
  /** where the server itself listens and keeps its store (undefined until it listens) */
  serverServices?: () => ServerServices | undefined;
  /** counts the script calls of logins and user operations (debug runs are not counted) */
  metrics?: Pick<Metrics, 'scriptCall'>;
  /** the breakers' clock (tests pass one they control); Date.now by default */
  now?: () => number;
}

export function customDbService({
  configs,
  users,
  runtimes,
  log,
  serverServices = () => undefined,
  now = Date.now,
  metrics,
}: CustomDbDependencies): CustomDbService {
  const guards = connectionGuards({ now, queueWaitMs: QUEUE_WAIT_MS });
  const callerFor = async (pool: Pool, counted: boolean) => {
    const { config, revision } = await configs.current(pool.id);
    const guard: CallerGuard = { guard: guards.forPool(pool.id, revision), counted };
    return { config, scripts: createScriptCaller(pool, config, runtimes, log, serverServices(), guard) };
  };
  // Saving takes effect for new requests at once; stopping the old runtime frees it now
  // (callers hand the runtime pool the current spec on every call, so it would be replaced anyway).
  const invalidateOnSave = async <R extends { ok: boolean }>(pool: Pool, saved: R): Promise<R> => {
    if (!saved.ok) return saved;
    await runtimes.invalidate(pool.id);
    // The new scripts are loaded into a runtime once the save has answered (the config was
    // kept opened by the save, so this reads only its revision); the first login then finds
    // them ready. setImmediate: after the answer's audit entry and response are written.
    setImmediate(() => {
      void configs
        .current(pool.id)
        .then(({ config }) => prepareRuntime(pool, config, runtimes, serverServices()))
        .catch(() => {
          // Only a head start lost: the first call binds the runtime itself.
        });
    });
    return saved;
  };
  return {
    async getMasked(poolId) {
      const { config, revision } = await configs.current(poolId);
      return { config: maskConfig(config), revision };
    },

    warningsFor(config) {
      const store = serverServices()?.store;
      if (store === undefined || config.connection === null) return [];
      const shared = databaseRules(scriptEnv(config)).some(
        (rule) => sameHost(rule.host, store.host) && (rule.port ?? store.port) === store.port,
      );
      return shared
        ? [
            "This connection's database server is also Gatehouse's own store, so scripts can reach it: " +
              "with a database user that may read other databases there, a pool's scripts could read every pool's data. " +
              'Use a separate database server for the legacy users, or a user that can read only the legacy tables.',
          ]
        : [];
    },

    save: async (pool, changes, meta) => invalidateOnSave(pool, await configs.save(pool.id, changes, meta)),
    restore: async (pool, version, meta) => invalidateOnSave(pool, await configs.restore(pool.id, version, meta)),

    versions: (poolId, page, limit) => configs.versions(poolId, page, limit),

    async version(poolId, version) {
      const found = await configs.version(poolId, version);
      return found.ok ? ok(maskConfig(found.value)) : found;
    },

    auditFields: async (poolId) => auditFieldsOf(await configs.load(poolId)),

    async importAuth0(pool, connection, meta, admit) {
      const changes = changesFromAuth0Connection(connection);
      if (!changes.ok) return changes;
      // The caller's check (an admin key's scope) sees the connection and env this save would store.
      const stored = await configs.load(pool.id);
      admit?.({ ...stored, ...changes.value, scripts: { ...stored.scripts, ...changes.value.scripts } });
      return invalidateOnSave(pool, await configs.save(pool.id, changes.value, meta));
    },

    health: (poolId) => guards.health(poolId),

    async debug(pool, script, args) {
      const { config, scripts } = await callerFor(pool, false);
      if (!DIALECT_SCRIPT_KEYS[config.dialect].includes(script)) {
        const message = `${script} is not a script of the ${config.dialect} dialect; its scripts are ${DIALECT_SCRIPT_KEYS[config.dialect].join(', ')}`;
        return ok({ ok: false, error: { kind: 'not_implemented', name: 'NotImplementedError', message }, logs: [], durationMs: 0 });
      }
      // The debug answer is a response like any other: exported password hashes stay masked in it.
      const outcome =
        config.dialect === 'auth0'
          ? await scripts.callAuth0(script as Auth0Entry, args)
          : maskExportedHashes(script as ScriptName, await scripts.call(script as ScriptName, args));
      // Refused by the concurrency cap: an HTTP 503 with Retry-After, not a script's failure.
      return !outcome.ok && outcome.error.kind === 'unavailable'
        ? fail('CUSTOM_DB_UNAVAILABLE', outcome.error.message, outcome.error.retryAfterSeconds ?? 1)
        : ok(outcome);
    },

    logs: log,

    async migration(poolId) {
      const { count, lastCreatedAt } = await users.countMigrated(poolId);
      return { migratedUsers: count, lastMigratedAt: lastCreatedAt };
    },

    async scriptsFor(pool) {
      const { config, scripts } = await callerFor(pool, true);
      if (!config.enabled) return null;
      return { mode: config.mode, scripts: metrics ? recordingCalls(pool.id, scripts, metrics) : scripts };
    },
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Two host names or addresses that name the same server (every loopback spelling is one).
 * Normalised as the egress broker does (case, brackets, a trailing dot): a spelling the
 * broker takes for the store's own (`localhost.`) must be seen as the store here too.
 */
function sameHost(a: string, b: string): boolean {
  const x = normaliseHost(a);
  const y = normaliseHost(b);
  return x === y || ((LOOPBACK.has(x) || x.startsWith('127.')) && (LOOPBACK.has(y) || y.startsWith('127.')));
}
