/**
 * A pool's custom database connection: its shape and defaults, and the environment
 * variable names the connection itself sets. Pure (no Node imports), so the console
 * shares it with the server.
 *
 * Secrets are the URI (it carries the password), the programmatic password and every
 * env value: config-secrets.ts masks them for responses, sealed-config.ts seals them
 * for the store.
 */
import { SCRIPT_NAMES, type ScriptName } from './contract/script-contract.js';
import type { CustomDbMode } from './modes.js';
import type { Auth0ScriptName, Dialect } from './auth0/auth0-scripts.js';

export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The circuit breaker and concurrency cap of a connection (breaker.ts): defaults and the
 * ranges a save accepts.
 */
export const GUARD_LIMITS = {
  maxConcurrency: { default: 50, minimum: 1, maximum: 1000 },
  breakerThreshold: { default: 5, minimum: 1, maximum: 1000 },
  breakerCooldownMs: { default: 30_000, minimum: 1000, maximum: 3_600_000 },
} as const;

export type Connection =
  | { type: 'uri'; uri: string }
  | { type: 'programmatic'; host: string; port: number; username: string; password: string; database: string }
  | null;

/**
 * A connection's scripts: Gatehouse's eight always answered (null when unset), and with the
 * `auth0` dialect Auth0's script names beside them (`login` is both: Auth0's login there).
 */
export type ConnectionScripts = Record<ScriptName, string | null> & Partial<Record<Auth0ScriptName, string | null>>;

export interface CustomDbConfig {
  enabled: boolean;
  mode: CustomDbMode;
  /** the contract the scripts are written to: Gatehouse's own, or Auth0's custom database scripts */
  dialect: Dialect;
  connection: Connection;
  env: Record<string, string>;
  scripts: ConnectionScripts;
  timeoutMs: number;
  /** optional egress allowlist for the scripts; empty = any host but the always-refused ones */
  allowedHosts: string[];
  /** script calls in flight at most; more wait up to a second for a slot, then answer 503 */
  maxConcurrency: number;
  /** consecutive infrastructure failures (502/504 answers) that open the circuit */
  breakerThreshold: number;
  /** how long an open circuit answers 503 before one probe call may go through */
  breakerCooldownMs: number;
}

export function defaultConfig(): CustomDbConfig {
  return {
    enabled: false,
    mode: 'LAZY_MIGRATION',
    dialect: 'gatehouse',
    connection: null,
    env: {},
    scripts: Object.fromEntries(SCRIPT_NAMES.map((name) => [name, null])) as Record<ScriptName, string | null>,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    allowedHosts: [],
    maxConcurrency: GUARD_LIMITS.maxConcurrency.default,
    breakerThreshold: GUARD_LIMITS.breakerThreshold.default,
    breakerCooldownMs: GUARD_LIMITS.breakerCooldownMs.default,
  };
}

/** Variables the connection itself sets; an env entry of the same name would be shadowed. */
export const CONNECTION_ENV_NAMES = ['DB_CONNECTION_URI', 'DB_HOST', 'DB_PORT', 'DB_USERNAME', 'DB_PASSWORD', 'DB_DATABASE'] as const;

/**
 * What is wrong with a connection URI, said of `field`, or null when nothing is: it must
 * parse as a URI with a scheme and a host, and every percent escape must decode (a bad one,
 * such as `%zz`, would otherwise fail each call of every script). The value is never quoted:
 * it holds the password.
 */
export function uriProblem(uri: string, field: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${field} must be a URI such as postgres://user:password@host:5432/database`;
  }
  if (!/^[a-z][a-z0-9+.-]*:$/i.test(url.protocol)) return `${field} must start with a scheme such as postgres://`;
  if (url.hostname === '') return `${field} must name a host, as in postgres://user:password@host:5432/database`;
  for (const [part, text] of [
    ['user name', url.username],
    ['password', url.password],
    ['path', url.pathname],
    ['query', url.search],
  ] as const) {
    try {
      decodeURIComponent(text);
    } catch {
      return `${field} has a bad percent escape in its ${part}: each % must start an escape such as %40 for @`;
    }
  }
  return null;
}
