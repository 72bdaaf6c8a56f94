/**
 * Public types of the script runtime. The runtime is a generic runner: it is handed named
 * sources, env, limits and an egress policy, runs one entry with arguments, and answers a
 * result or a failure value. It knows nothing of users, script names or result shapes; the
 * user-script contract lives in `custom-db/contract/`.
 */

/** How a call can fail, decided by the runtime. Contracts built on top may add their own kinds. */
export const RUNTIME_FAILURE_KINDS = ['runtime', 'timeout', 'oom', 'syntax', 'denied', 'invalid_result'] as const;

export type RuntimeFailureKind = (typeof RUNTIME_FAILURE_KINDS)[number];

export interface RuntimeFailure {
  kind: RuntimeFailureKind;
  /** The error's name, e.g. `TypeError`, `TimeoutError`, `EgressDeniedError`, or a name the globals prelude defined. */
  name: string;
  message: string;
  stack?: string;
}

export interface ScriptLog {
  level: 'log' | 'info' | 'warn' | 'error';
  message: string;
}

export type RunOutcome =
  | { ok: true; result: unknown; logs: ScriptLog[]; durationMs: number }
  | { ok: false; error: RuntimeFailure; logs: ScriptLog[]; durationMs: number };

export interface RuntimeLimits {
  /** Wall-clock limit per call, clamped to 100..30000. */
  timeoutMs: number;
  /** V8 heap cap of the runtime, default 128, clamped to 32..4096. */
  memoryMb?: number;
}

/**
 * Where a runtime may connect. `allow` lists host names or IPs (empty means any host except
 * the always-blocked ones); `deny` lists `host:port` (or bare hosts) refused whatever `allow` says.
 */
export interface EgressPolicy {
  allow: readonly string[];
  deny: readonly string[];
}

export interface RuntimeSpec {
  /** One runtime per key; two keys never share a process. */
  key: string;
  /** Entry name → source. Loaded once, in this order; each must declare a top-level function of its name. */
  sources: Readonly<Record<string, string>>;
  /** What scripts see as the global `env`. */
  env: Readonly<Record<string, string>>;
  /** Classic-script source run once before the entries, e.g. to define error classes scripts throw. */
  globalsSource?: string;
  /** How messages name an entry (`The Get user script`); default `The <entry> entry`. */
  labels?: Readonly<Record<string, string>>;
  limits: RuntimeLimits;
  egress?: EgressPolicy;
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

export function entryLabel(spec: Pick<RuntimeSpec, 'labels'>, entry: string): string {
  return spec.labels?.[entry] ?? `The ${entry} entry`;
}
