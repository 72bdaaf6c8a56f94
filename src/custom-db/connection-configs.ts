/**
 * Reading and saving pools' connection configs. Opening a config means reading its
 * scripts and decrypting its secrets, so the opened config is kept per pool with the
 * revision it was read at; every read still asks the store for the revision (one
 * integer), so a save on any instance is seen by the next request everywhere.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { CustomDbRepository } from '../store/custom-db.js';
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

export interface ConnectionConfigs {
  /** The opened config (secrets in clear) of a pool; the defaults for a pool never configured. */
  load(poolId: string): Promise<CustomDbConfig>;
  /** Checks every submitted script, keeps masked secrets, seals and stores; answers the masked result. */
  save(poolId: string, changes: ConfigChanges): Promise<Result<CustomDbConfig, 'VALIDATION_ERROR'>>;
}

/** Opened configs kept at most; a server with more pools re-opens from the store. */
const OPENED_CONFIGS_KEPT = 1000;

export function connectionConfigs(repository: CustomDbRepository, box: SecretBox): ConnectionConfigs {
  const opened = new Map<string, { revision: number; config: CustomDbConfig }>();

  const load = async (poolId: string): Promise<CustomDbConfig> => {
    const revision = await repository.revision(poolId);
    if (revision === undefined) return defaultConfig();
    const cached = opened.get(poolId);
    if (cached?.revision === revision) return cached.config;
    const row = await repository.get(poolId);
    if (!row) return defaultConfig();
    const config = openConfig(row, box);
    if (opened.size >= OPENED_CONFIGS_KEPT) opened.clear();
    opened.set(poolId, { revision: Number(row.revision), config });
    return config;
  };

  return {
    load,
    async save(poolId, changes) {
      const stored = await load(poolId);
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
      };
      const merged = changes.connection === undefined && changes.env === undefined ? ok(submitted) : unmask(submitted, stored);
      if (!merged.ok) return fail('VALIDATION_ERROR', merged.error.message);
      // Checked again once the masks stand for the stored values: what is saved must be a URI every call can use.
      const connection = merged.value.connection;
      const uriError = changes.connection !== undefined && connection?.type === 'uri' ? uriProblem(connection.uri, 'connection.uri') : null;
      if (uriError !== null) return fail('VALIDATION_ERROR', uriError);
      await repository.save(sealConfig(poolId, merged.value, box));
      return ok(maskConfig(merged.value));
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
