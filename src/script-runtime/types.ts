import type { EgressPolicy } from './egress-broker.js';

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

/** How a runtime that died on an uncaught exception begins its message (the error keeps the script's name). */
export const UNCAUGHT_CRASH_MESSAGE = 'The script runtime crashed on an uncaught exception';

/** `runtime` failures that mean the runtime process died, failed to start or stopped answering. */
const RUNTIME_DEATH_NAMES: readonly string[] = ['RuntimeExitError', 'RuntimeStartError', 'RuntimeStoppedError', 'RuntimeProtocolError', 'InternalError'];

/** True when a call failed because its runtime crashed or stopped, not because the script threw. */
export function isRuntimeCrash(failure: { kind: string; name: string; message: string }): boolean {
  return failure.kind === 'runtime' && (RUNTIME_DEATH_NAMES.includes(failure.name) || failure.message.startsWith(UNCAUGHT_CRASH_MESSAGE));
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
  /**
   * Where the runtime may connect, enforced by its egress broker in the server (see
   * egress-broker.ts; `egressPolicyFor` builds one). Missing means public addresses only.
   */
  egress?: EgressPolicy;
}

export interface ScriptRuntimePoolOptions {
  /**
   * Cap on bound runtimes; when it needs room, the one with the fewest recent calls (at most
   * one a second counted, halved every minute; see use-frequency.ts) is stopped first. Default 50.
   */
  maxRuntimes?: number;
  /** A runtime with no call for this long is stopped. Default 10 minutes. */
  idleMs?: number;
  /** Keep pre-forked processes ready for new connections. Default true. */
  warmSpare?: boolean;
  /**
   * How many: `min` always, up to `max` as the recent cold-start rate asks (see
   * spare-sizing.ts). Default 1 to 4 over a 10 s window.
   */
  warmSpares?: { min?: number; max?: number; windowMs?: number };
  /** The clock of the spare sizing (tests pass one they control). Default Date.now. */
  now?: () => number;
  /** Bound on captured console output per call, in bytes. Default 64 KiB. */
  logLimitBytes?: number;
  /** Bound on a call's result (its JSON), in bytes; a bigger one fails with `invalid_result`. Default 1 MiB. */
  resultLimitBytes?: number;
  /**
   * OS sandbox of the runtimes: `auto` (default) takes the strongest `sandboxCapabilities()`
   * finds; a level forces it (tests, benchmarks).
   */
  sandbox?: 'auto' | 'bwrap' | 'unshare' | 'none';
  /**
   * The address the server listens on. Without an OS sandbox, scripts run only while this is
   * a loopback address (a developer's machine) or `allowUnsandboxed` is set; otherwise every
   * call fails with kind `denied` saying what to install or set. Default `127.0.0.1`.
   */
  listenHost?: string;
  /** `GATEHOUSE_UNSAFE_SCRIPTS=1`: the operator trusts every script author; run without an OS sandbox anywhere. */
  allowUnsandboxed?: boolean;
  /**
   * A runtime using more CPU than this share of a core, with no call in flight, for about a
   * second is stopped (a timer left spinning after a call). Default 0.1: an idle runtime uses
   * none, and a spinning one gets only its fair share of a busy machine.
   */
  idleCpuShare?: number;
  /** Hooks for whoever watches the pool (the server's metrics); the pool never depends on them. */
  events?: ScriptRuntimePoolEvents;
  /**
   * Start runtimes of the default heap from a V8 startup snapshot, built in the background
   * when the pool is made (see startup-snapshot.ts); until it is ready, or if it cannot be
   * built, they start the normal way. Default: on, unless `GATEHOUSE_RUNTIME_SNAPSHOT=0`.
   * `dir` (where blobs are kept) and `entry` (the snapshot's entry; tests break it) are for tests.
   */
  startupSnapshot?: boolean | { dir?: string; entry?: string };
}

/** The startup snapshot of a pool (`ScriptRuntimePool.startupSnapshot()`); `memoryMb` is the heap it is built for. */
export type StartupSnapshotStatus =
  | { state: 'off'; reason: string }
  | { state: 'building'; memoryMb: number }
  | { state: 'ready'; memoryMb: number; blob: string }
  | { state: 'failed'; memoryMb: number; reason: string };

/**
 * Why a runtime bound to a connection stopped: a failure (`crash`, `oom`, `timeout`: a call
 * ran past its limit, `cpu`: busy with no call in flight, `start_failed`) or routine
 * (`changed`: its connection was saved, `idle`, `evicted`: the cap needed room). The
 * connection's next call starts a fresh one. The pool's own close is not reported.
 */
export type RuntimeStopReason = 'crash' | 'oom' | 'timeout' | 'cpu' | 'start_failed' | 'changed' | 'idle' | 'evicted';

export interface ScriptRuntimePoolEvents {
  /** A bound runtime's process has exited; called once per runtime. Must not throw. */
  runtimeStopped?(reason: RuntimeStopReason): void;
}

/** What the pool runs scripts in, for the server's start-up log and the console. */
export interface SandboxStatus {
  level: 'bwrap' | 'unshare' | 'none';
  reason: string;
  /** False when there is no OS sandbox and the server listens beyond loopback without `allowUnsandboxed`. */
  scriptsAllowed: boolean;
  /** Set when scripts run without an OS sandbox, or are refused: the text to show. */
  warning?: string;
}

export const DEFAULT_MEMORY_MB = 128;
export const MIN_MEMORY_MB = 32;
export const MAX_MEMORY_MB = 4096;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 30_000;
export const DEFAULT_LOG_LIMIT_BYTES = 64 * 1024;
export const DEFAULT_RESULT_LIMIT_BYTES = 1024 * 1024;

export function entryLabel(spec: Pick<RuntimeSpec, 'labels'>, entry: string): string {
  return spec.labels?.[entry] ?? `The ${entry} entry`;
}
