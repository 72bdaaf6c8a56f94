/**
 * The secrets of a connection config as responses and logs see them: masked in answers,
 * a mask sent back standing for the stored value, and the list of secret values that
 * are scrubbed from everything a script returns or prints.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { Connection, CustomDbConfig } from './connection-config.js';

export const MASK = '********';

export function parseUri(uri: string): URL | undefined {
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
