/**
 * Reading and saving pools' connection configs, and their versions. Opening a config means
 * reading its scripts and decrypting its secrets, so the opened config is kept per pool with
 * the revision it was read (or saved) at; every read still asks the store for the revision (one
 * integer), so a save on any instance is seen by the next request everywhere. The revision
 * is also the connection's ETag: it lives in the store, so every instance agrees on it.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { Actor } from '../domain/actor.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { CustomDbRepository, VersionSummary } from '../store/custom-db.js';
import { checkScriptSource } from './contract/source-check.js';
import { parseAllowedHost } from '../script-runtime/index.js';
import { isScriptName } from './contract/script-contract.js';
import { defaultConfig, uriProblem, type ConnectionScripts, type CustomDbConfig } from './connection-config.js';
import { DIALECT_SCRIPT_KEYS, checkAuth0ScriptSource, isAuth0ScriptName, type Dialect } from './auth0/auth0-scripts.js';
import type { SourceCheckResult } from '../script-runtime/source-check.js';
import { maskConfig, unmask } from './config-secrets.js';
import { openConfig, sealConfig } from './sealed-config.js';

/** A save request: omitted fields keep their stored values; a script set to null goes back to the default. */
export type ConfigChanges = Partial<Omit<CustomDbConfig, 'scripts'>> & { scripts?: Partial<ConnectionScripts> };

/** Who saves, why, and (If-Match) the revision they read. */
export interface SaveMeta {
  savedBy: Pick<Actor, 'keyId' | 'name'>;
  note: string | null;
  /** the revision the saver read; undefined saves over whatever is current */
  expectedRevision?: number;
}

/** A saved config (secrets masked) with its new revision and version number. */
export interface SavedConfig {
  config: CustomDbConfig;
  revision: number;
  version: number;
}

export interface ConnectionConfigs {
  /** The opened config (secrets in clear) of a pool; the defaults for a pool never configured. */
  load(poolId: string): Promise<CustomDbConfig>;
  /** The opened config with its revision (0 for a pool never configured). */
  current(poolId: string): Promise<{ config: CustomDbConfig; revision: number }>;
  /** Checks every submitted script, keeps masked secrets, seals and stores as a new version; answers the masked result. */
  save(poolId: string, changes: ConfigChanges, meta: SaveMeta): Promise<Result<SavedConfig, 'VALIDATION_ERROR' | 'PRECONDITION_FAILED'>>;
  versions(poolId: string, page: number, limit: number): Promise<{ totalCount: number; list: VersionSummary[] }>;
  /** One version, opened (secrets in clear: mask before answering). */
  version(poolId: string, version: number): Promise<Result<CustomDbConfig, 'NOT_FOUND'>>;
  /** Saves a version again, whole and with its sealed secrets, as the newest version. */
  restore(poolId: string, version: number, meta: SaveMeta): Promise<Result<SavedConfig, 'NOT_FOUND' | 'PRECONDITION_FAILED'>>;
}

/** Opened configs kept at most; a server with more pools re-opens from the store. */
const OPENED_CONFIGS_KEPT = 1000;

const STALE_MESSAGE = 'The custom database connection was changed by someone else since you read it; read it again (GET answers its current ETag) and retry';

export function connectionConfigs(repository: CustomDbRepository, box: SecretBox): ConnectionConfigs {
  const opened = new Map<string, { revision: number; config: CustomDbConfig }>();
  const remember = (poolId: string, entry: { revision: number; config: CustomDbConfig }): void => {
    if (opened.size >= OPENED_CONFIGS_KEPT && !opened.has(poolId)) opened.clear();
    opened.set(poolId, entry);
  };

  const current = async (poolId: string): Promise<{ config: CustomDbConfig; revision: number }> => {
    const revision = await repository.revision(poolId);
    if (revision === undefined) return { config: defaultConfig(), revision: 0 };
    const cached = opened.get(poolId);
    if (cached?.revision === revision) return cached;
    const row = await repository.get(poolId);
    if (!row) return { config: defaultConfig(), revision: 0 };
    const fresh = { revision: Number(row.revision), config: openConfig(row, box) };
    remember(poolId, fresh);
    return fresh;
  };

  const store = async (poolId: string, config: CustomDbConfig, meta: SaveMeta): Promise<Result<SavedConfig, 'PRECONDITION_FAILED'>> => {
    // The saved config is opened below as a later read would open it, from the same sealed
    // columns, but without decrypting what was just encrypted here.
    const sealedHere = new Map<string, string>();
    const sealed = sealConfig(config, {
      seal(plaintext) {
        const value = box.seal(plaintext);
        sealedHere.set(value, plaintext);
        return value;
      },
      open: (value) => box.open(value),
    });
    const saved = await repository.save({
      poolId,
      sealed,
      savedAt: new Date().toISOString(),
      savedBy: { keyId: meta.savedBy.keyId, name: meta.savedBy.name },
      note: meta.note,
      ...(meta.expectedRevision === undefined ? {} : { expectedRevision: meta.expectedRevision }),
    });
    if (!saved.saved) return fail('PRECONDITION_FAILED', STALE_MESSAGE);
    // The next read (the audit entry's diff, the pool's next login) finds it opened at this
    // revision; a later save anywhere bumps the revision and it is read again.
    remember(poolId, {
      revision: saved.revision,
      config: openConfig({ ...sealed, pool_id: poolId }, { seal: (plaintext) => box.seal(plaintext), open: (value) => sealedHere.get(value) ?? box.open(value) }),
    });
    return ok({ config: maskConfig(config), revision: saved.revision, version: saved.version });
  };

  return {
    load: async (poolId) => (await current(poolId)).config,
    current,
    async save(poolId, changes, meta) {
      const { config: stored, revision } = await current(poolId);
      // Checked again in the store's transaction; failing here first spares the script checks.
      if (meta.expectedRevision !== undefined && meta.expectedRevision !== revision) return fail('PRECONDITION_FAILED', STALE_MESSAGE);
      const dialect = changes.dialect ?? stored.dialect;
      const problem = scriptsProblem(dialect, changes.scripts ?? {});
      if (problem !== null) return fail('VALIDATION_ERROR', problem);
      const badHost = (changes.allowedHosts ?? []).findIndex((entry) => parseAllowedHost(entry) === null);
      if (badHost >= 0) {
        return fail('VALIDATION_ERROR', `body.allowedHosts[${badHost}] must be a host name, an IP address or a CIDR block, optionally with :port`);
      }
      const submitted: CustomDbConfig = {
        enabled: changes.enabled ?? stored.enabled,
        mode: changes.mode ?? stored.mode,
        dialect,
        connection: changes.connection === undefined ? stored.connection : changes.connection,
        env: changes.env ?? stored.env,
        scripts: { ...stored.scripts, ...changes.scripts },
        timeoutMs: changes.timeoutMs ?? stored.timeoutMs,
        allowedHosts: changes.allowedHosts ?? stored.allowedHosts,
        maxConcurrency: changes.maxConcurrency ?? stored.maxConcurrency,
        breakerThreshold: changes.breakerThreshold ?? stored.breakerThreshold,
        breakerCooldownMs: changes.breakerCooldownMs ?? stored.breakerCooldownMs,
      };
      const merged = changes.connection === undefined && changes.env === undefined ? ok(submitted) : unmask(submitted, stored);
      if (!merged.ok) return fail('VALIDATION_ERROR', merged.error.message);
      // Checked again once the masks stand for the stored values: what is saved must be a URI every call can use.
      const connection = merged.value.connection;
      const uriError = changes.connection !== undefined && connection?.type === 'uri' ? uriProblem(connection.uri, 'connection.uri') : null;
      if (uriError !== null) return fail('VALIDATION_ERROR', uriError);
      return store(poolId, merged.value, meta);
    },
    versions: (poolId, page, limit) => repository.listVersions(poolId, page, limit),
    async version(poolId, version) {
      const row = await repository.getVersion(poolId, version);
      return row === undefined ? fail('NOT_FOUND', versionNotFound(poolId, version)) : ok(openConfig(row, box));
    },
    async restore(poolId, version, meta) {
      const row = await repository.getVersion(poolId, version);
      if (row === undefined) return fail('NOT_FOUND', versionNotFound(poolId, version));
      return store(poolId, openConfig(row, box), meta);
    },
  };
}

/**
 * What is wrong with submitted scripts, or null: each must be a script of the connection's
 * dialect (scripts of the other dialect already stored are kept, never called) and pass the
 * static check of its contract.
 */
function scriptsProblem(dialect: Dialect, scripts: Partial<ConnectionScripts>): string | null {
  for (const [name, source] of Object.entries(scripts)) {
    if (source === null || source === undefined) continue;
    if (!DIALECT_SCRIPT_KEYS[dialect].includes(name)) {
      return `scripts.${name} is not a script of the ${dialect} dialect; its scripts are ${DIALECT_SCRIPT_KEYS[dialect].join(', ')}`;
    }
    const checked: SourceCheckResult =
      dialect === 'auth0' && isAuth0ScriptName(name)
        ? checkAuth0ScriptSource(name, source)
        : isScriptName(name)
          ? checkScriptSource(name, source)
          : { ok: true };
    if (!checked.ok) return `scripts.${name}: ${checked.message} (line ${checked.line}, column ${checked.column})`;
  }
  return null;
}

function versionNotFound(poolId: string, version: number): string {
  return `Pool ${poolId}'s custom database connection has no version ${version} (only the newest versions are kept)`;
}
