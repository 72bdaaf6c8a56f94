/** What the script runtime is handed for a connection: its scripts, env and limits. */
import type { ConnectionSpec } from './contract/script-contract.js';
import type { CustomDbConfig } from './connection-config.js';

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

/** The server's own listener and store: scripts may never reach them (unless the store is the connection's own database). */
export type ServerServices = NonNullable<ConnectionSpec['serverServices']>;

export function runtimeSpec(poolId: string, config: CustomDbConfig, serverServices?: ServerServices): ConnectionSpec {
  return {
    key: poolId,
    ...(serverServices === undefined ? {} : { serverServices }),
    ...(config.dialect === 'auth0' ? { dialect: 'auth0' as const } : {}),
    scripts: config.scripts,
    env: scriptEnv(config),
    timeoutMs: config.timeoutMs,
    ...(config.allowedHosts.length > 0 ? { allowedHosts: config.allowedHosts } : {}),
  };
}

