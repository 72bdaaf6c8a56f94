/**
 * A pool's custom database connection: its shape, defaults, how secrets are sealed for
 * the store and masked for responses, and the runtime spec scripts run with.
 *
 * Secrets are the URI (it carries the password), the programmatic password and every
 * env value. They are sealed with the secret key at rest, answered as the mask, and a
 * mask sent back means "keep what is stored".
 */
import type { SecretBox } from '../secrets/secret-box.js';
import type { Insertable, Selectable } from 'kysely';
import type { CustomDbConnectionsTable } from '../store/schema.js';
import { SCRIPT_NAMES, type ConnectionSpec, type ScriptName } from './contract/script-contract.js';
import { fail, ok, type Result } from '../shared/result.js';
import type { CustomDbMode } from './modes.js';

export const MASK = '********';
export const DEFAULT_TIMEOUT_MS = 5000;

export { MODES, SCRIPTS_BY_MODE, type CustomDbMode } from './modes.js';

export type Connection =
  | { type: 'uri'; uri: string }
  | { type: 'programmatic'; host: string; port: number; username: string; password: string; database: string }
  | null;

export interface CustomDbConfig {
  enabled: boolean;
  mode: CustomDbMode;
  connection: Connection;
  env: Record<string, string>;
  scripts: Record<ScriptName, string | null>;
  timeoutMs: number;
  /** optional egress allowlist for the scripts; empty = any host but the always-refused ones */
  allowedHosts: string[];
}

export function defaultConfig(): CustomDbConfig {
  return {
    enabled: false,
    mode: 'LAZY_MIGRATION',
    connection: null,
    env: {},
    scripts: Object.fromEntries(SCRIPT_NAMES.map((name) => [name, null])) as Record<ScriptName, string | null>,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    allowedHosts: [],
  };
}

function parseUri(uri: string): URL | undefined {
  try {
    const url = new URL(uri);
    return url.protocol.length > 1 ? url : undefined;
  } catch {
    return undefined;
  }
}

function maskUri(uri: string): string {
  const url = parseUri(uri);
  if (!url) return MASK;
  if (url.password !== '') url.password = MASK;
  return url.toString();
}

/** What a response shows: everything but the secrets. */
export function maskConfig(config: CustomDbConfig): CustomDbConfig {
  const connection: Connection =
    config.connection?.type === 'uri'
      ? { type: 'uri', uri: maskUri(config.connection.uri) }
      : config.connection?.type === 'programmatic'
        ? { ...config.connection, password: config.connection.password === '' ? '' : MASK }
        : null;
  return {
    ...config,
    connection,
    env: Object.fromEntries(Object.keys(config.env).map((key) => [key, MASK])),
  };
}

/**
 * The submitted config with every mask replaced by the stored secret it stands for.
 * A mask with nothing stored behind it is a client error, never an empty secret.
 */
export function unmask(submitted: CustomDbConfig, stored: CustomDbConfig): Result<CustomDbConfig> {
  let connection = submitted.connection;
  if (connection?.type === 'uri') {
    const url = parseUri(connection.uri);
    if (!url) {
      return fail('VALIDATION_ERROR', 'connection.uri must be a URI such as postgres://user:password@host:5432/database');
    }
    if (url.password === MASK || connection.uri === MASK) {
      const storedUrl = stored.connection?.type === 'uri' ? parseUri(stored.connection.uri) : undefined;
      if (!storedUrl) return fail('VALIDATION_ERROR', 'connection.uri holds the mask, but no URI is stored to keep');
      if (connection.uri === MASK) {
        connection = { type: 'uri', uri: storedUrl.toString() };
      } else {
        url.password = storedUrl.password;
        connection = { type: 'uri', uri: url.toString() };
      }
    }
  } else if (connection?.type === 'programmatic' && connection.password === MASK) {
    if (stored.connection?.type !== 'programmatic') {
      return fail('VALIDATION_ERROR', 'connection.password holds the mask, but no password is stored to keep');
    }
    connection = { ...connection, password: stored.connection.password };
  }

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(submitted.env)) {
    if (value !== MASK) {
      env[key] = value;
      continue;
    }
    const kept = stored.env[key];
    if (kept === undefined) return fail('VALIDATION_ERROR', `env.${key} holds the mask, but no value is stored to keep`);
    env[key] = kept;
  }
  return ok({ ...submitted, connection, env });
}

type StoredConnection =
  | { type: 'uri'; uri: string }
  | { type: 'programmatic'; host: string; port: number; username: string; password: string; database: string };

export function sealConfig(poolId: string, config: CustomDbConfig, box: SecretBox): Insertable<CustomDbConnectionsTable> {
  const connection: StoredConnection | null =
    config.connection?.type === 'uri'
      ? { type: 'uri', uri: box.seal(config.connection.uri) }
      : config.connection?.type === 'programmatic'
        ? { ...config.connection, password: box.seal(config.connection.password) }
        : null;
  return {
    pool_id: poolId,
    enabled: config.enabled ? 1 : 0,
    mode: config.mode,
    connection: connection && JSON.stringify(connection),
    env: JSON.stringify(Object.fromEntries(Object.entries(config.env).map(([k, v]) => [k, box.seal(v)]))),
    scripts: JSON.stringify(config.scripts),
    timeout_ms: config.timeoutMs,
    allowed_hosts: JSON.stringify(config.allowedHosts),
    updated_at: new Date().toISOString(),
  };
}

export class UnreadableSecretError extends Error {}

export function openConfig(row: Selectable<CustomDbConnectionsTable>, box: SecretBox): CustomDbConfig {
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
    connection,
    env,
    scripts: { ...defaultConfig().scripts, ...(JSON.parse(row.scripts) as Record<ScriptName, string | null>) },
    timeoutMs: Number(row.timeout_ms),
    allowedHosts: JSON.parse(row.allowed_hosts) as string[],
  };
}

/** The env a script sees: the connection's variables, then the connection's own entries. */
export function scriptEnv(config: CustomDbConfig): Record<string, string> {
  const env: Record<string, string> = {};
  if (config.connection?.type === 'uri') env['DB_CONNECTION_URI'] = config.connection.uri;
  if (config.connection?.type === 'programmatic') {
    env['DB_HOST'] = config.connection.host;
    env['DB_PORT'] = String(config.connection.port);
    env['DB_USERNAME'] = config.connection.username;
    env['DB_PASSWORD'] = config.connection.password;
    env['DB_DATABASE'] = config.connection.database;
  }
  return { ...config.env, ...env };
}

export function runtimeSpec(poolId: string, config: CustomDbConfig): ConnectionSpec {
  return {
    key: poolId,
    scripts: config.scripts,
    env: scriptEnv(config),
    timeoutMs: config.timeoutMs,
    ...(config.allowedHosts.length > 0 ? { allowedHosts: config.allowedHosts } : {}),
  };
}

/** Every secret value of a config, for scrubbing them out of logs and messages. */
export function secretsOf(config: CustomDbConfig): string[] {
  const secrets = Object.values(config.env);
  if (config.connection?.type === 'uri') {
    secrets.push(config.connection.uri);
    const password = parseUri(config.connection.uri)?.password;
    if (password) secrets.push(password, decodeURIComponent(password));
  }
  if (config.connection?.type === 'programmatic') secrets.push(config.connection.password);
  return secrets.filter((secret) => secret.length >= 3);
}
