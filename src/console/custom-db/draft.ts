/**
 * The custom database form's state ("draft"), how it comes from the API's answer, how it
 * goes back as a save, and whether it differs from what is saved.
 */
import {
  SCRIPT_NAMES,
  type Connection,
  type ConnectionInput,
  type CustomDatabase,
  type CustomDatabaseInput,
  type Dialect,
  type Mode,
  type ScriptKey,
} from '../api/types.js';
import { CONNECTION_ENV_NAMES, GUARD_LIMITS } from '../../custom-db/connection-config.js';
import { AUTH0_ONLY_SCRIPT_NAMES, DIALECT_SCRIPT_KEYS } from '../../custom-db/auth0/auth0-scripts.js';

const SCRIPT_KEYS: readonly ScriptKey[] = [...SCRIPT_NAMES, ...AUTH0_ONLY_SCRIPT_NAMES];

/** The API answers every secret as this; sending it back keeps the stored value. */
export const MASK = '********';

export interface EnvRow {
  /** stable key for React lists */
  id: number;
  name: string;
  value: string;
}

export interface ConnectionDraft {
  type: 'uri' | 'programmatic';
  uri: string;
  host: string;
  port: string;
  username: string;
  password: string;
  database: string;
}

export interface Draft {
  enabled: boolean;
  mode: Mode;
  dialect: Dialect;
  connection: ConnectionDraft;
  env: EnvRow[];
  /** every script of both dialects; a save sends those of the draft's dialect */
  scripts: Record<ScriptKey, string>;
  timeoutMs: string;
  /** the allowed hosts as typed: comma or line separated */
  allowedHosts: string;
  /** the circuit breaker and concurrency cap, as typed */
  limits: Record<LimitName, string>;
}

export type LimitName = keyof typeof GUARD_LIMITS;
const LIMIT_NAMES = Object.keys(GUARD_LIMITS) as LimitName[];

/** What the form calls each limit, in its messages and labels. */
export const LIMIT_LABELS: Record<LimitName, string> = {
  maxConcurrency: 'Max concurrent calls',
  breakerThreshold: 'Failures that open the circuit',
  breakerCooldownMs: 'Circuit cooldown (ms)',
};

let nextRowId = 1;
export const newEnvRow = (name = '', value = ''): EnvRow => ({ id: nextRowId++, name, value });

export function connectionDraftFrom(connection: Connection): ConnectionDraft {
  const empty: ConnectionDraft = { type: 'uri', uri: '', host: '', port: '', username: '', password: '', database: '' };
  if (connection === null) return empty;
  // The answer's fields are optional in the document: each form names only its own.
  if (connection.type === 'uri') return { ...empty, uri: connection.uri ?? '' };
  return {
    ...empty,
    type: 'programmatic',
    host: connection.host ?? '',
    port: connection.port === undefined ? '' : String(connection.port),
    username: connection.username ?? '',
    password: connection.password ?? '',
    database: connection.database ?? '',
  };
}

export function draftFrom(config: CustomDatabase): Draft {
  return {
    enabled: config.enabled,
    mode: config.mode,
    dialect: config.dialect,
    connection: connectionDraftFrom(config.connection),
    env: Object.entries(config.env).map(([name, value]) => newEnvRow(name, value)),
    scripts: Object.fromEntries(SCRIPT_KEYS.map((name) => [name, config.scripts[name] ?? ''])) as Record<ScriptKey, string>,
    timeoutMs: String(config.timeoutMs),
    allowedHosts: config.allowedHosts.join('\n'),
    limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, String(config[name])])) as Record<LimitName, string>,
  };
}

// The limits the API sets on allowedHosts (maxItems, maxLength), checked here to name the entry.
const MAX_ALLOWED_HOSTS = 64;
const MAX_HOST_LENGTH = 255;

/** The allowed hosts typed into the form, split on commas and line breaks, blanks and repeats dropped. */
export function parseAllowedHosts(text: string): { ok: true; hosts: string[] } | { ok: false; message: string } {
  const hosts = [...new Set(text.split(/[,\n]/).map((host) => host.trim()).filter((host) => host !== ''))];
  for (const host of hosts) {
    if (/\s/.test(host)) return { ok: false, message: `Allowed host "${host}" contains a space; separate hosts with commas or new lines` };
    if (host.length > MAX_HOST_LENGTH) return { ok: false, message: `Allowed host "${host.slice(0, 40)}…" is longer than ${String(MAX_HOST_LENGTH)} characters` };
  }
  if (hosts.length > MAX_ALLOWED_HOSTS) return { ok: false, message: `Allowed hosts lists ${String(hosts.length)} hosts; at most ${String(MAX_ALLOWED_HOSTS)} are allowed` };
  return { ok: true, hosts };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED_ENV: ReadonlySet<string> = new Set(CONNECTION_ENV_NAMES);

function connectionInput(draft: ConnectionDraft): { ok: true; connection: ConnectionInput } | { ok: false; message: string } {
  if (draft.type === 'uri') {
    const uri = draft.uri.trim();
    // No URI: the scripts need only env (a web service reached through env values).
    return { ok: true, connection: uri === '' ? null : { type: 'uri', uri } };
  }
  const port = Number(draft.port);
  if (draft.host.trim() === '') return { ok: false, message: 'Host is required for a programmatic connection' };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, message: 'Port must be a whole number from 1 to 65535' };
  return {
    ok: true,
    connection: {
      type: 'programmatic',
      host: draft.host.trim(),
      port,
      username: draft.username,
      password: draft.password,
      database: draft.database,
    },
  };
}

/** The PUT body for a draft, or the first thing wrong with it, in words for the form. */
export function inputFrom(draft: Draft): { ok: true; input: CustomDatabaseInput } | { ok: false; message: string } {
  const connection = connectionInput(draft.connection);
  if (!connection.ok) return connection;
  const env: Record<string, string> = {};
  for (const row of draft.env) {
    const name = row.name.trim();
    if (name === '' && row.value === '') continue;
    if (!ENV_NAME.test(name)) {
      return { ok: false, message: `Environment variable name "${name}" must be letters, digits and _, not starting with a digit` };
    }
    if (RESERVED_ENV.has(name)) return { ok: false, message: `Environment variable ${name} is set by the connection; choose another name` };
    if (name in env) return { ok: false, message: `Environment variable ${name} is listed twice` };
    env[name] = row.value;
  }
  const timeoutMs = Number(draft.timeoutMs);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 30_000) {
    return { ok: false, message: 'Timeout must be a whole number of milliseconds from 100 to 30000' };
  }
  // Only the dialect's own scripts: the server keeps the other dialect's as they are.
  const scripts: Partial<Record<ScriptKey, string | null>> = Object.fromEntries(
    SCRIPT_KEYS.filter((name) => DIALECT_SCRIPT_KEYS[draft.dialect].includes(name)).map((name) => [
      name,
      draft.scripts[name].trim() === '' ? null : draft.scripts[name],
    ]),
  );
  const allowedHosts = parseAllowedHosts(draft.allowedHosts);
  if (!allowedHosts.ok) return allowedHosts;
  const limits = {} as Record<LimitName, number>;
  for (const name of LIMIT_NAMES) {
    const value = Number(draft.limits[name]);
    const { minimum, maximum } = GUARD_LIMITS[name];
    if (draft.limits[name].trim() === '' || !Number.isInteger(value) || value < minimum || value > maximum) {
      return { ok: false, message: `${LIMIT_LABELS[name]} must be a whole number from ${String(minimum)} to ${String(maximum)}` };
    }
    limits[name] = value;
  }
  return {
    ok: true,
    input: {
      enabled: draft.enabled,
      mode: draft.mode,
      dialect: draft.dialect,
      connection: connection.connection,
      env,
      scripts,
      timeoutMs,
      allowedHosts: allowedHosts.hosts,
      ...limits,
    },
  };
}

/** The draft without React keys, for comparing with what is saved. */
function comparable(draft: Draft): string {
  const hosts = parseAllowedHosts(draft.allowedHosts);
  return JSON.stringify({
    ...draft,
    env: draft.env.map(({ name, value }) => [name, value]),
    // "a, b" and "a\nb" name the same hosts: retyping the separators changes nothing.
    allowedHosts: hosts.ok ? hosts.hosts : draft.allowedHosts,
  });
}

export function isDirty(draft: Draft, saved: Draft): boolean {
  return comparable(draft) !== comparable(saved);
}
