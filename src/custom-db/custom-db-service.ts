/**
 * A pool's custom database connection as the rest of the server uses it: its config
 * (connection-configs.ts), a debug run of a saved script, the connection log, migration
 * progress, and the script caller of an enabled connection, from which users/ builds
 * the pool's directory.
 */
import type { Result } from '../domain/result.js';
import type { AuditFields } from '../domain/audit.js';
import type { Pool } from '../domain/pool.js';
import type { UsersRepository } from '../store/users.js';
import type { ScriptRuntimePool } from '../script-runtime/index.js';
import type { CallOutcome, ScriptName } from './contract/script-contract.js';
import type { CustomDbConfig } from './connection-config.js';
import { maskConfig } from './config-secrets.js';
import { auditFieldsOf } from './config-audit.js';
import { databaseRules } from './contract/egress.js';
import { scriptEnv } from './runtime-spec.js';
import type { ConfigChanges, ConnectionConfigs } from './connection-configs.js';
import type { ConnectionLog } from './connection-log.js';
import type { CustomDbMode } from './modes.js';
import { createScriptCaller, type ScriptCaller } from './script-caller.js';
import type { ServerServices } from './runtime-spec.js';
import { DIALECT_SCRIPT_KEYS, type Auth0ScriptName } from './auth0/auth0-scripts.js';
import type { Auth0Entry } from './auth0/auth0-runtime.js';
import { changesFromAuth0Connection } from './auth0/auth0-import.js';
import type { Metrics } from '../metrics/metrics.js';
import { recordingCalls } from './call-metrics.js';

export interface MigrationProgress {
  migratedUsers: number;
  lastMigratedAt: string | null;
}

export interface CustomDbService {
  /** The pool's config with secrets masked; defaults for a pool never configured. */
  getMasked(poolId: string): Promise<CustomDbConfig>;
  /** What an administrator should know about a config, e.g. that its database server is the server's own store. */
  warningsFor(config: CustomDbConfig): string[];
  save(pool: Pool, changes: ConfigChanges): Promise<Result<CustomDbConfig, 'VALIDATION_ERROR'>>;
  /** The pool's config as the audit log compares it: secrets masked, compared by hash (config-audit.ts). */
  auditFields(poolId: string): Promise<AuditFields>;
  /** Saves an Auth0 database connection as Auth0's export writes it (dialect `auth0`); answers it masked. */
  importAuth0(pool: Pool, connection: unknown, admit?: (next: CustomDbConfig) => void): Promise<Result<CustomDbConfig, 'VALIDATION_ERROR'>>;
  /** Runs a saved script by the name its dialect gives it (an Auth0 connection's with Auth0's arguments). */
  debug(pool: Pool, script: ScriptName | Auth0ScriptName, args: unknown[]): Promise<CallOutcome>;
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
}

export function customDbService({ configs, users, runtimes, log, serverServices = () => undefined, metrics }: CustomDbDependencies): CustomDbService {
  const callerFor = (pool: Pool, config: CustomDbConfig) => createScriptCaller(pool, config, runtimes, log, serverServices());
  return {
    getMasked: async (poolId) => maskConfig(await configs.load(poolId)),

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

    async save(pool, changes) {
      const saved = await configs.save(pool.id, changes);
      // Callers hand the runtime pool the current spec on every call, so a changed spec
      // already gets a fresh runtime; stopping the old one now frees it at once.
      if (saved.ok) await runtimes.invalidate(pool.id);
      return saved;
    },

    auditFields: async (poolId) => auditFieldsOf(await configs.load(poolId)),

    async importAuth0(pool, connection, admit) {
      const changes = changesFromAuth0Connection(connection);
      if (!changes.ok) return changes;
      // The caller's check (an admin key's scope) sees the connection and env this save would store.
      const stored = await configs.load(pool.id);
      admit?.({ ...stored, ...changes.value, scripts: { ...stored.scripts, ...changes.value.scripts } });
      return this.save(pool, changes.value);
    },

    async debug(pool, script, args) {
      const config = await configs.load(pool.id);
      if (!DIALECT_SCRIPT_KEYS[config.dialect].includes(script)) {
        const message = `${script} is not a script of the ${config.dialect} dialect; its scripts are ${DIALECT_SCRIPT_KEYS[config.dialect].join(', ')}`;
        return { ok: false, error: { kind: 'not_implemented', name: 'NotImplementedError', message }, logs: [], durationMs: 0 };
      }
      const caller = callerFor(pool, config);
      return config.dialect === 'auth0' ? caller.callAuth0(script as Auth0Entry, args) : caller.call(script as ScriptName, args);
    },

    logs: log,

    async migration(poolId) {
      const { count, lastCreatedAt } = await users.countMigrated(poolId);
      return { migratedUsers: count, lastMigratedAt: lastCreatedAt };
    },

    async scriptsFor(pool) {
      const config = await configs.load(pool.id);
      if (!config.enabled) return null;
      const scripts = callerFor(pool, config);
      return { mode: config.mode, scripts: metrics ? recordingCalls(pool.id, scripts, metrics) : scripts };
    },
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Two host names or addresses that name the same server (every loopback spelling is one). */
function sameHost(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  return x === y || ((LOOPBACK.has(x) || x.startsWith('127.')) && (LOOPBACK.has(y) || y.startsWith('127.')));
}
