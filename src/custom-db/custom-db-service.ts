/**
 * A pool's custom database connection as the rest of the server uses it: its config
 * (connection-configs.ts), a debug run of a saved script, the connection log, migration
 * progress, and the script caller of an enabled connection, from which users/ builds
 * the pool's directory.
 */
import type { Result } from '../domain/result.js';
import type { Pool } from '../domain/pool.js';
import type { UsersRepository } from '../store/users.js';
import type { ScriptRuntimePool } from '../script-runtime/index.js';
import type { CallOutcome, ScriptName } from './contract/script-contract.js';
import type { CustomDbConfig } from './connection-config.js';
import { maskConfig } from './config-secrets.js';
import { maskExportedHashes } from './redaction.js';
import { databaseRules } from './contract/egress.js';
import { scriptEnv } from './runtime-spec.js';
import type { ConfigChanges, ConnectionConfigs } from './connection-configs.js';
import type { ConnectionLog } from './connection-log.js';
import type { CustomDbMode } from './modes.js';
import { createScriptCaller, type ScriptCaller } from './script-caller.js';
import type { ServerServices } from './runtime-spec.js';

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
  debug(pool: Pool, script: ScriptName, args: unknown[]): Promise<CallOutcome>;
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
}

export function customDbService({ configs, users, runtimes, log, serverServices = () => undefined }: CustomDbDependencies): CustomDbService {
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

    // The debug answer is a response like any other: exported password hashes stay masked in it.
    debug: async (pool, script, args) => maskExportedHashes(script, await callerFor(pool, await configs.load(pool.id)).call(script, args)),

    logs: log,

    async migration(poolId) {
      const { count, lastCreatedAt } = await users.countMigrated(poolId);
      return { migratedUsers: count, lastMigratedAt: lastCreatedAt };
    },

    async scriptsFor(pool) {
      const config = await configs.load(pool.id);
      if (!config.enabled) return null;
      return { mode: config.mode, scripts: callerFor(pool, config) };
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
