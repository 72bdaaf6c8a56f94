/**
 * The user-script contract: which scripts a connection has, how they are named, the typed
 * errors scripts throw on purpose, and the failure kinds callers see. The script runtime
 * below it is a generic runner; this module tells it what to define and how to name things.
 * Pure (no Node imports): the console imports it too.
 */
import type { RuntimeFailureKind, ScriptLog } from '../../script-runtime/types.js';

export const SCRIPT_NAMES = [
  'login',
  'getUser',
  'searchUser',
  'createUser',
  'updateUser',
  'deleteUser',
  'listUsers',
  'validatePassword',
  // The ninth, optional: pages through the old database for "import the rest" (lazy migration).
  'exportUsers',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

export const SCRIPT_DISPLAY_NAMES: Record<ScriptName, string> = {
  login: 'Login',
  getUser: 'Get user',
  searchUser: 'Search user',
  createUser: 'Create user',
  updateUser: 'Update user',
  deleteUser: 'Delete user',
  listUsers: 'List users',
  validatePassword: 'Validate password',
  exportUsers: 'Export users',
};

/**
 * Scripts a connection may leave at their default without anything failing in normal use:
 * only the feature that needs one (import the rest) asks for it.
 */
export const OPTIONAL_SCRIPTS: readonly ScriptName[] = ['exportUsers'];

export function isScriptName(value: unknown): value is ScriptName {
  return typeof value === 'string' && (SCRIPT_NAMES as readonly string[]).includes(value);
}

/** How messages name a script, e.g. `The Get user script`. */
export function scriptLabel(script: ScriptName): string {
  return `The ${SCRIPT_DISPLAY_NAMES[script]} script`;
}

/**
 * The runtime's kinds plus the contract's own: a script left at its default, and a call the
 * connection's circuit breaker or concurrency cap refused without running it (breaker.ts).
 */
export const FAILURE_KINDS = [
  'runtime',
  'timeout',
  'oom',
  'syntax',
  'denied',
  'not_implemented',
  'invalid_result',
  'unavailable',
] as const satisfies readonly (RuntimeFailureKind | 'not_implemented' | 'unavailable')[];

export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface ScriptFailure {
  kind: FailureKind;
  /** The error's name, e.g. `UserNotFoundError`, `TimeoutError`, `EgressDeniedError`. */
  name: string;
  message: string;
  stack?: string;
  /** kind `unavailable` only: when to retry */
  retryAfterSeconds?: number;
}

export type { ScriptLog };

export type CallOutcome =
  | { ok: true; result: unknown; logs: ScriptLog[]; durationMs: number }
  | { ok: false; error: ScriptFailure; logs: ScriptLog[]; durationMs: number };

export const TYPED_ERROR_NAMES = [
  'WrongUsernameOrPasswordError',
  'UserNotFoundError',
  'UserExistsError',
  'AccountBlockedError',
] as const;

/** Kind `runtime` with `name` equal to one of these means the script threw that typed error on purpose. */
export type TypedErrorName = (typeof TYPED_ERROR_NAMES)[number];

export function isTypedErrorName(value: unknown): value is TypedErrorName {
  return typeof value === 'string' && (TYPED_ERROR_NAMES as readonly string[]).includes(value);
}

/**
 * Globals prelude handed to the runtime: defines each typed error as a global class whose
 * `name` is the class name, so `throw new UserNotFoundError()` reaches the server by name.
 * A script may declare its own class of the same name instead; the name is what counts.
 */
export const TYPED_ERRORS_PRELUDE = `for (const name of ${JSON.stringify(TYPED_ERROR_NAMES)}) {
  const cls = class extends Error {
    constructor(message) {
      super(message ?? name);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  Object.defineProperty(globalThis, name, { value: cls, writable: true, configurable: true, enumerable: false });
}
`;

/** The answer of a script left at its default: it only ever fails, and needs no runtime to say so. */
export function notImplementedFailure(script: ScriptName): ScriptFailure {
  return {
    kind: 'not_implemented',
    name: 'NotImplementedError',
    message: `Please implement the ${SCRIPT_DISPLAY_NAMES[script]} script for this database connection`,
  };
}

/** A connection's scripts and settings as the contract layer runs them. */
export interface ConnectionSpec {
  /** One runtime per key (the pool id); two keys never share a process. */
  key: string;
  /** The contract the scripts are written to; default `gatehouse`. With `auth0`, `scripts` holds Auth0's script names (custom-db/auth0/). */
  dialect?: 'gatehouse' | 'auth0';
  /** Missing, null or blank means the default script, which fails with kind `not_implemented`. */
  scripts: Partial<Record<string, string | null>>;
  /** What scripts see as the global `env`. */
  env: Record<string, string>;
  /** Wall-clock limit per call, clamped to 100..30000. */
  timeoutMs: number;
  /** V8 heap cap of the runtime, default 128, clamped to 32..4096. */
  memoryMb?: number;
  /**
   * Optional egress allowlist (names, IPs or CIDR blocks, optionally `:port`); empty or
   * undefined means any public address. The connection's own database servers are always allowed.
   */
  allowedHosts?: string[];
  /** The connection's database servers; derived from `env` (DB_CONNECTION_URI, or DB_HOST and DB_PORT) when missing. */
  databaseHosts?: { host: string; port?: number }[];
  /**
   * The server's own listeners, refused to scripts whatever else allows them: its HTTP
   * address and its store's database server. Set by the server (the same for every connection).
   */
  serverServices?: { http: ServiceAddress; store?: ServiceAddress };
}

/** Where a listening service is (`host` may be `0.0.0.0` or `::` for every interface). */
export interface ServiceAddress {
  host: string;
  port: number;
}
