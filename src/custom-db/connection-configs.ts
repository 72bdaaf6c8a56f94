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
import type { ScriptName } from './contract/script-contract.js';
import { defaultConfig, uriProblem, type CustomDbConfig } from './connection-config.js';
import { maskConfig, unmask } from './config-secrets.js';
import { openConfig, sealConfig } from './sealed-config.js';

/** A save request: omitted fields keep their stored values; a script set to null goes back to the default. */
export type ConfigChanges = Partial<Omit<CustomDbConfig, 'scripts'>> & { scripts?: Partial<Record<ScriptName, string | null>> };

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
      for (const [name, source] of Object.entries(changes.scripts ?? {})) {
        if (source === null || source === undefined) continue;
        const checked = checkScriptSource(name as ScriptName, source);
        if (!checked.ok) {
          return fail('VALIDATION_ERROR', `scripts.${name}: ${checked.message} (line ${checked.line}, column ${checked.column})`);
        }
      }
      const badHost = (changes.allowedHosts ?? []).findIndex((entry) => parseAllowedHost(entry) === null);
      if (badHost >= 0) {
        return fail('VALIDATION_ERROR', `body.allowedHosts[${badHost}] must be a host name, an IP address or a CIDR block, optionally with :port`);
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
      if (!merged.ok) return fail('VALIDATION_ERROR', merged.error.message);
      // Checked again once the masks stand for the stored values: what is saved must be a URI every call can use.
      const connection = merged.value.connection;
      const problem = changes.connection !== undefined && connection?.type === 'uri' ? uriProblem(connection.uri, 'connection.uri') : null;
      if (problem !== null) return fail('VALIDATION_ERROR', problem);
      await repository.save(sealConfig(poolId, merged.value, box));
      return ok(maskConfig(merged.value));
    },
  };
}
