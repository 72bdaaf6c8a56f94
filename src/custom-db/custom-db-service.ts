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

    async save(pool, changes) {
      const saved = await configs.save(pool.id, changes);
      // Callers hand the runtime pool the current spec on every call, so a changed spec
      // already gets a fresh runtime; stopping the old one now frees it at once.
      if (saved.ok) await runtimes.invalidate(pool.id);
      return saved;
    },

    debug: async (pool, script, args) => callerFor(pool, await configs.load(pool.id)).call(script, args),

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
