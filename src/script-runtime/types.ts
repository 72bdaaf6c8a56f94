/**
 * Public types of the script runtime. The runtime is a leaf: it is handed source, env and
 * arguments and answers a result or a failure value. It knows nothing of users or HTTP.
 */

export const SCRIPT_NAMES = [
  'login',
  'getUser',
  'searchUser',
  'createUser',
  'updateUser',
  'deleteUser',
  'listUsers',
  'validatePassword',
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
};

export function isScriptName(value: unknown): value is ScriptName {
  return typeof value === 'string' && (SCRIPT_NAMES as readonly string[]).includes(value);
}

export const FAILURE_KINDS = [
  'runtime',
  'timeout',
  'oom',
  'syntax',
  'denied',
  'not_implemented',
  'invalid_result',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface ScriptFailure {
  kind: FailureKind;
  /** The error's name, e.g. `UserNotFoundError`, `TimeoutError`, `EgressDeniedError`. */
  name: string;
  message: string;
  stack?: string;
}

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

export interface ScriptLog {
  level: 'log' | 'info' | 'warn' | 'error';
  message: string;
}

export type CallOutcome =
  | { ok: true; result: unknown; logs: ScriptLog[]; durationMs: number }
  | { ok: false; error: ScriptFailure; logs: ScriptLog[]; durationMs: number };

export interface ConnectionSpec {
  /** One runtime per key (the pool id); two keys never share a process. */
  key: string;
  /** Missing, null or blank means the default script, which fails with kind `not_implemented`. */
  scripts: Partial<Record<ScriptName, string | null>>;
  /** What scripts see as the global `env`. */
  env: Record<string, string>;
  /** Wall-clock limit per call, clamped to 100..30000. */
  timeoutMs: number;
  /** V8 heap cap of the runtime, default 128, clamped to 32..4096. */
  memoryMb?: number;
  /** Optional egress allowlist (host names or IPs); empty or undefined means any host except the always-blocked ones. */
  allowedHosts?: string[];
}

export interface ScriptRuntimePoolOptions {
  /** Cap on bound runtimes; the least recently used one is stopped first. Default 50. */
  maxRuntimes?: number;
  /** A runtime with no call for this long is stopped. Default 10 minutes. */
  idleMs?: number;
  /** Keep one pre-forked process ready for the next new connection. Default true. */
  warmSpare?: boolean;
  /** Bound on captured console output per call, in bytes. Default 64 KiB. */
  logLimitBytes?: number;
}

export const DEFAULT_MEMORY_MB = 128;
export const MIN_MEMORY_MB = 32;
export const MAX_MEMORY_MB = 4096;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 30_000;
export const DEFAULT_LOG_LIMIT_BYTES = 64 * 1024;
