/**
 * A connection config as the store keeps it: secrets sealed with the secret key, the rest
 * as JSON columns. Opening needs the same key; a secret that does not open is an error,
 * never an empty value.
 */
import type { SecretBox } from '../secrets/secret-box.js';
import type { SealedConnectionColumns } from '../store/schema.js';
import { defaultConfig, type Connection, type ConnectionScripts, type CustomDbConfig } from './connection-config.js';
import type { CustomDbMode } from './modes.js';

type StoredConnection =
  | { type: 'uri'; uri: string }
  | { type: 'programmatic'; host: string; port: number; username: string; password: string; database: string };

/** The columns of a config, secrets sealed; the connection's row and its versions keep the same ones. */
export function sealConfig(config: CustomDbConfig, box: SecretBox): SealedConnectionColumns {
  const connection: StoredConnection | null =
    config.connection?.type === 'uri'
      ? { type: 'uri', uri: box.seal(config.connection.uri) }
      : config.connection?.type === 'programmatic'
        ? { ...config.connection, password: box.seal(config.connection.password) }
        : null;
  return {
    enabled: config.enabled ? 1 : 0,
    mode: config.mode,
    dialect: config.dialect,
    connection: connection && JSON.stringify(connection),
    env: JSON.stringify(Object.fromEntries(Object.entries(config.env).map(([k, v]) => [k, box.seal(v)]))),
    scripts: JSON.stringify(config.scripts),
    timeout_ms: config.timeoutMs,
    allowed_hosts: JSON.stringify(config.allowedHosts),
    max_concurrency: config.maxConcurrency,
    breaker_threshold: config.breakerThreshold,
    breaker_cooldown_ms: config.breakerCooldownMs,
  };
}

export class UnreadableSecretError extends Error {}

export function openConfig(row: SealedConnectionColumns & { pool_id: string }, box: SecretBox): CustomDbConfig {
  const open = (sealed: string): string => {
    const value = box.open(sealed);
    if (value === undefined) throw new UnreadableSecretError(`a secret of pool ${row.pool_id}'s connection cannot be opened with this secret key`);
    return value;
  };
  const stored = row.connection === null ? null : (JSON.parse(row.connection) as StoredConnection);
  const connection: Connection =
    stored?.type === 'uri'
      ? { type: 'uri', uri: open(stored.uri) }
      : stored?.type === 'programmatic'
        ? { ...stored, password: open(stored.password) }
        : null;
  const env = Object.fromEntries(
    Object.entries(JSON.parse(row.env) as Record<string, string>).map(([k, v]) => [k, open(v)]),
  );
  return {
    enabled: row.enabled === 1,
    mode: row.mode as CustomDbMode,
    dialect: row.dialect === 'auth0' ? 'auth0' : 'gatehouse',
    connection,
    env,
    scripts: { ...defaultConfig().scripts, ...(JSON.parse(row.scripts) as Partial<ConnectionScripts>) },
    timeoutMs: Number(row.timeout_ms),
    allowedHosts: JSON.parse(row.allowed_hosts) as string[],
    maxConcurrency: Number(row.max_concurrency),
    breakerThreshold: Number(row.breaker_threshold),
    breakerCooldownMs: Number(row.breaker_cooldown_ms),
  };
}

