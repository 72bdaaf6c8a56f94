/**
 * Everything about a pool's custom database connection that the HTTP layer asks for:
 * reading and saving the config (secrets sealed, masks kept), running a script for
 * debugging, the connection log, migration progress, and which user directory a pool
 * currently has.
 */
import { fail, ok, type Result } from '../shared/result.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { CustomDbRepository } from '../store/custom-db.js';
import type { Pool } from '../store/pools.js';
import type { UsersRepository } from '../store/users.js';
import type { ScriptRuntimePool } from '../script-runtime/index.js';
import type { CallOutcome, ScriptName } from './contract/script-contract.js';
import { checkScriptSource } from './contract/source-check.js';
import type { UserDirectory } from '../users/user-directory.js';
import { localDirectory } from '../users/local-directory.js';
import { customStoreDirectory } from '../users/custom-store-directory.js';
import { lazyMigrationDirectory } from '../users/lazy-migration-directory.js';
import {
  defaultConfig,
  maskConfig,
  openConfig,
  sealConfig,
  unmask,
  type CustomDbConfig,
} from './connection-config.js';
import type { ConnectionLog } from './connection-log.js';
import { createScriptCaller } from './script-caller.js';

/** A save request: omitted fields keep their stored values; a script set to null goes back to the default. */
export type ConfigChanges = Partial<Omit<CustomDbConfig, 'scripts'>> & { scripts?: Partial<Record<ScriptName, string | null>> };

export interface MigrationProgress {
  migratedUsers: number;
  lastMigratedAt: string | null;
}

export interface CustomDbService {
  /** The pool's config with secrets masked; defaults for a pool never configured. */
  getMasked(poolId: string): Promise<CustomDbConfig>;
  save(pool: Pool, changes: ConfigChanges): Promise<Result<CustomDbConfig>>;
  debug(pool: Pool, script: ScriptName, args: unknown[]): Promise<CallOutcome>;
  logs: ConnectionLog;
  migration(poolId: string): Promise<MigrationProgress>;
  directoryFor(pool: Pool): Promise<UserDirectory>;
}

export interface CustomDbDependencies {
  repository: CustomDbRepository;
  users: UsersRepository;
  runtimes: ScriptRuntimePool;
  box: SecretBox;
  log: ConnectionLog;
}

export function customDbService({ repository, users, runtimes, box, log }: CustomDbDependencies): CustomDbService {
  // Opening a config means reading its scripts and decrypting its secrets; the opened
  // config is kept per pool with the revision it was read at. Every request still reads
  // the revision (one integer), so a save on any instance is seen by the next request
  // everywhere.
  const opened = new Map<string, { revision: number; config: CustomDbConfig }>();
  const load = async (poolId: string): Promise<CustomDbConfig> => {
    const revision = await repository.revision(poolId);
    if (revision === undefined) return defaultConfig();
    const cached = opened.get(poolId);
    if (cached?.revision === revision) return cached.config;
    const row = await repository.get(poolId);
    if (!row) return defaultConfig();
    const config = openConfig(row, box);
    if (opened.size >= 1000) opened.clear();
    opened.set(poolId, { revision: Number(row.revision), config });
    return config;
  };

  return {
    getMasked: async (poolId) => maskConfig(await load(poolId)),

    async save(pool, changes) {
      const stored = await load(pool.id);
      for (const [name, source] of Object.entries(changes.scripts ?? {})) {
        if (source === null || source === undefined) continue;
        const checked = checkScriptSource(name as ScriptName, source);
        if (!checked.ok) {
          return fail('VALIDATION_ERROR', `scripts.${name}: ${checked.message} (line ${checked.line}, column ${checked.column})`);
        }
      }
      const submitted: CustomDbConfig = {
        enabled: changes.enabled ?? stored.enabled,
        mode: changes.mode ?? stored.mode,
        connection: changes.connection === undefined ? stored.connection : changes.connection,
        env: changes.env ?? stored.env,
        scripts: { ...stored.scripts, ...changes.scripts },
        timeoutMs: changes.timeoutMs ?? stored.timeoutMs,
        allowedHosts: changes.allowedHosts ?? stored.allowedHosts,
      };
      const merged = changes.connection === undefined && changes.env === undefined ? ok(submitted) : unmask(submitted, stored);
      if (!merged.ok) return merged;
      await repository.save(sealConfig(pool.id, merged.value, box));
      // Callers hand the runtime pool the current spec on every call, so a changed spec
      // already gets a fresh runtime; stopping the old one now frees it at once.
      await runtimes.invalidate(pool.id);
      return ok(maskConfig(merged.value));
    },

    async debug(pool, script, args) {
      const config = await load(pool.id);
      return createScriptCaller(pool, config, runtimes, log).call(script, args);
    },

    logs: log,

    async migration(poolId) {
      const { count, lastCreatedAt } = await users.countMigrated(poolId);
      return { migratedUsers: count, lastMigratedAt: lastCreatedAt };
    },

    async directoryFor(pool) {
      const config = await load(pool.id);
      if (!config.enabled) return localDirectory(pool.id, users);
      const scripts = createScriptCaller(pool, config, runtimes, log);
      return config.mode === 'CUSTOM_USER_STORE'
        ? customStoreDirectory(pool.id, scripts)
        : lazyMigrationDirectory(pool.id, users, scripts);
    },
  };
}

