/**
 * One runtime process, seen from the server: fork, the IPC protocol, per-call timers, and
 * turning every way the process can end into failure values for the calls it had in flight.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { allowedReadPaths, CHILD_ENTRY } from './allowed-paths.js';
import type { ChildMessage, InitMessage, ParentMessage, ResultMessage } from './protocol.js';
import { RUNTIME_FAILURE_KINDS, type RuntimeFailure, type RuntimeFailureKind, type ScriptLog } from './types.js';

export type RuntimeAnswer =
  | { ok: true; result: unknown; logs: ScriptLog[] }
  | { ok: false; error: RuntimeFailure; logs: ScriptLog[] };

export interface RuntimeProcessOptions {
  memoryMb: number;
  /** Fork to `ready`; generous because two cores may be busy with tests and databases. */
  startTimeoutMs?: number;
}

interface PendingCall {
  resolve: (answer: RuntimeAnswer) => void;
  timer: NodeJS.Timeout;
}

/** After a timeout, a runtime that cannot answer a ping this fast has a blocked event loop. */
const PING_TIMEOUT_MS = 200;
const STDERR_TAIL_CHARS = 4096;
const HEAP_LIMIT_PATTERN = /heap limit|heap out of memory/i;
const LOG_LEVELS = new Set(['log', 'info', 'warn', 'error']);

function failure(kind: RuntimeFailureKind, name: string, message: string): RuntimeFailure {
  return { kind, name, message };
}

/**
 * Node flags of a runtime process: the permission model (no writes, no child processes, no
 * workers, no addons, reads only of the runtime's code and the allowed packages) and the
 * heap cap. Exported for tests that check the permission layer on its own.
 */
export function runtimeExecArgv(memoryMb: number): string[] {
  return [
    '--experimental-permission',
    // Module paths stay as found (see allowed-paths.ts): no realpath walk through links.
    '--preserve-symlinks',
    ...allowedReadPaths().map((p) => `--allow-fs-read=${p}`),
    `--max-old-space-size=${memoryMb}`,
    '--disable-warning=ExperimentalWarning',
    '--no-addons',
  ];
}

/** Only what the runtime needs; nothing of the server's environment (tokens, keys, DATABASE_URL). */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
  if (process.env['TZ'] !== undefined) env['TZ'] = process.env['TZ'];
  return env;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A script can call `process.send` itself, so nothing from the child is trusted as typed. */
function sanitiseLogs(value: unknown): ScriptLog[] {
  if (!Array.isArray(value)) return [];
  const logs: ScriptLog[] = [];
  for (const entry of value) {
    if (isRecord(entry) && typeof entry['message'] === 'string' && LOG_LEVELS.has(String(entry['level']))) {
      logs.push({ level: entry['level'] as ScriptLog['level'], message: entry['message'] });
    }
  }
  return logs;
}

function sanitiseFailure(value: unknown): RuntimeFailure {
  if (!isRecord(value)) return failure('runtime', 'Error', 'The script runtime answered a malformed failure');
  const kind = (RUNTIME_FAILURE_KINDS as readonly unknown[]).includes(value['kind']) ? (value['kind'] as RuntimeFailureKind) : 'runtime';
  const result: RuntimeFailure = {
    kind,
    name: typeof value['name'] === 'string' ? value['name'] : 'Error',
    message: typeof value['message'] === 'string' ? value['message'] : '',
  };
  if (typeof value['stack'] === 'string') result.stack = value['stack'];
  return result;
}

export class RuntimeProcess {
  readonly memoryMb: number;
  readonly #child: ChildProcess;
  #state: 'starting' | 'ready' | 'dead' = 'starting';
  #retiring = false;
  #bound = false;
  readonly #queue: ParentMessage[] = [];
  readonly #pending = new Map<number, PendingCall>();
  #nextId = 1;
  #killReason: RuntimeFailure | null = null;
  #deathReason: RuntimeFailure | null = null;
  #everReady = false;
  #fatal: RuntimeFailure | null = null;
  #stderrTail = '';
  #sawHeapLimit = false;
  #readyWaiters: (() => void)[] = [];
  #startTimer: NodeJS.Timeout | null;
  #pingTimer: NodeJS.Timeout | null = null;
  readonly exited: Promise<void>;
  #markExited: () => void = () => {};

  constructor(options: RuntimeProcessOptions) {
    this.memoryMb = options.memoryMb;
    this.exited = new Promise((resolve) => {
      this.#markExited = resolve;
    });
    this.#child = fork(CHILD_ENTRY, [], {
      execArgv: runtimeExecArgv(options.memoryMb),
      env: childEnv(),
      cwd: '/',
      serialization: 'json', // measured faster than 'advanced' for small messages (0.065 vs 0.09 ms)
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Own process group: a signal to the server's group (Ctrl-C) does not reach runtimes
      // directly; they exit when their IPC channel closes instead.
      detached: true,
    });
    this.#child.on('message', (message: unknown) => this.#onMessage(message));
    this.#child.on('error', () => {
      // Spawn failures end in 'close' too; send errors are handled where we send.
    });
    this.#child.on('disconnect', () => {
      // A dying process disconnects just before 'close'; only a live one that closed its
      // channel (a script calling process.disconnect()) needs killing.
      setTimeout(() => {
        if (this.#state !== 'dead') {
          this.#killWith(failure('runtime', 'RuntimeExitError', 'The script runtime closed its channel to the server'));
        }
      }, 250).unref();
    });
    this.#child.on('close', (code, signal) => this.#onClose(code, signal));
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      const text = this.#stderrTail + chunk;
      if (HEAP_LIMIT_PATTERN.test(text)) this.#sawHeapLimit = true;
      this.#stderrTail = text.slice(-STDERR_TAIL_CHARS);
    });
    this.#startTimer = setTimeout(() => {
      this.#killWith(failure('runtime', 'RuntimeStartError', `The script runtime did not start within ${options.startTimeoutMs ?? 15_000} ms`));
    }, options.startTimeoutMs ?? 15_000);
    this.#startTimer.unref();
  }

  get pid(): number | undefined {
    return this.#state === 'dead' ? undefined : this.#child.pid;
  }

  /** True while the runtime takes new calls: alive, and not retired after a timeout or a change. */
  get accepting(): boolean {
    return this.#state !== 'dead' && !this.#retiring;
  }

  /** Why the process ended (null while it lives); what a call waiting for it should answer. */
  get deathReason(): RuntimeFailure | null {
    return this.#deathReason;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Resolves when the process said `ready` (true) or died first (false). */
  whenReady(): Promise<boolean> {
    if (this.#state !== 'starting') return Promise.resolve(this.#state === 'ready');
    return new Promise((resolve) => this.#readyWaiters.push(() => resolve(this.#state === 'ready')));
  }

  /** Hands the runtime its connection; sent once, before any call. */
  bind(init: InitMessage): void {
    if (this.#bound) throw new Error('A runtime is bound to one connection only');
    this.#bound = true;
    this.#send(init);
  }

  /** `label` names the entry in the timeout message (`The Get user script`). */
  call(entry: string, args: unknown[], timeoutMs: number, label: string): Promise<RuntimeAnswer> {
    if (!this.accepting) {
      const reason = this.#deathReason ?? failure('runtime', 'RuntimeStoppedError', 'The script runtime is stopped');
      return Promise.resolve({ ok: false, error: { ...reason }, logs: [] });
    }
    const id = this.#nextId++;
    return new Promise<RuntimeAnswer>((resolve) => {
      const timer = setTimeout(() => this.#onTimeout(id, label, timeoutMs), timeoutMs);
      this.#pending.set(id, { resolve, timer });
      this.#send({ type: 'call', id, entry, args });
    });
  }

  /**
   * Stops taking calls; the process is killed once the calls in flight have answered (each
   * has its own timer, so this is bounded by the timeout). Resolves when the process is gone.
   */
  retire(): Promise<void> {
    this.#retiring = true;
    if (this.#pending.size === 0) this.#killWith(failure('runtime', 'RuntimeStoppedError', 'The script runtime was stopped'));
    return this.exited;
  }

  /**
   * Resident memory in MB (Linux /proc), or null when unknown. The V8 heap cap does not
   * cover Buffers and other memory outside the heap; the pool polls this as a backstop.
   */
  residentMb(): number | null {
    const pid = this.pid;
    if (pid === undefined) return null;
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : null;
    } catch {
      return null;
    }
  }

  /** SIGKILL now; calls in flight fail with `reason`. */
  kill(reason: RuntimeFailure): Promise<void> {
    this.#killWith(reason);
    return this.exited;
  }

  #send(message: ParentMessage): void {
    if (this.#state === 'starting') {
      this.#queue.push(message);
      return;
    }
    if (this.#state === 'dead' || !this.#child.connected) return;
    try {
      this.#child.send(message);
    } catch (error) {
      // Arguments JSON cannot carry (BigInt, cycles) are the caller's bug; fail that call only.
      if (message.type === 'call') {
        const detail = error instanceof Error ? error.message : String(error);
        this.#settle(message.id, {
          ok: false,
          error: failure('runtime', 'ArgumentError', `The arguments cannot be sent to the script runtime: ${detail}`),
          logs: [],
        });
      }
    }
  }

  #settle(id: number, answer: RuntimeAnswer): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    pending.resolve(answer);
    if (this.#retiring && this.#pending.size === 0) {
      this.#killWith(failure('runtime', 'RuntimeStoppedError', 'The script runtime was stopped'));
    }
  }

  #onMessage(raw: unknown): void {
    if (!isRecord(raw)) return;
    const message = raw as Partial<ChildMessage>;
    switch (message.type) {
      case 'ready':
        this.#onReady();
        break;
      case 'result': {
        const result = message as Partial<ResultMessage>;
        if (typeof result.id !== 'number') return;
        const logs = sanitiseLogs(result.logs);
        this.#settle(
          result.id,
          result.ok === true
            ? { ok: true, result: result.result, logs }
            : { ok: false, error: sanitiseFailure(result.error), logs },
        );
        break;
      }
      case 'pong':
        if (this.#pingTimer !== null) clearTimeout(this.#pingTimer);
        this.#pingTimer = null;
        break;
      case 'fatal':
        this.#fatal = sanitiseFailure((message as { error?: unknown }).error);
        break;
    }
  }

  #onReady(): void {
    if (this.#state !== 'starting') return;
    this.#state = 'ready';
    this.#everReady = true;
    if (this.#startTimer !== null) clearTimeout(this.#startTimer);
    this.#startTimer = null;
    for (const message of this.#queue.splice(0)) this.#send(message);
    for (const wake of this.#readyWaiters.splice(0)) wake();
  }

  #onTimeout(id: number, label: string, timeoutMs: number): void {
    this.#settle(id, {
      ok: false,
      error: failure('timeout', 'TimeoutError', `${label} did not finish within ${timeoutMs} ms`),
      logs: [],
    });
    // The runtime may hold a stuck loop or leaked state: take no new calls and replace it.
    // Calls still in flight may finish (they have their own timers) unless the event loop is
    // blocked, which a ping tells within PING_TIMEOUT_MS.
    this.#retiring = true;
    if (this.#state === 'dead') return;
    if (this.#pending.size === 0) {
      this.#killWith(failure('runtime', 'RuntimeStoppedError', 'The script runtime was stopped after a call timed out'));
      return;
    }
    if (this.#pingTimer !== null) return;
    this.#pingTimer = setTimeout(() => {
      this.#killWith(failure('runtime', 'RuntimeStoppedError', `The script runtime stopped responding after ${label[0]?.toLowerCase() ?? ''}${label.slice(1)} timed out`));
    }, PING_TIMEOUT_MS);
    this.#send({ type: 'ping', id });
  }

  #killWith(reason: RuntimeFailure): void {
    if (this.#state === 'dead') return;
    this.#killReason ??= reason;
    this.#deathReason ??= reason;
    this.#markDead();
    try {
      this.#child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
    this.#failPending(reason);
  }

  #markDead(): void {
    this.#state = 'dead';
    for (const timer of [this.#startTimer, this.#pingTimer]) if (timer !== null) clearTimeout(timer);
    this.#startTimer = null;
    this.#pingTimer = null;
    for (const wake of this.#readyWaiters.splice(0)) wake();
  }

  #failPending(reason: RuntimeFailure): void {
    for (const [id, pending] of [...this.#pending]) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.resolve({ ok: false, error: { ...reason }, logs: [] });
    }
  }

  #onClose(code: number | null, signal: NodeJS.Signals | null): void {
    this.#deathReason ??= this.#exitFailure(code, signal);
    this.#markDead();
    this.#failPending(this.#deathReason);
    this.#markExited();
  }

  /** Why the process ended, for the calls it had in flight; stderr is complete by 'close'. */
  #exitFailure(code: number | null, signal: NodeJS.Signals | null): RuntimeFailure {
    if (this.#killReason !== null) return this.#killReason;
    if (this.#sawHeapLimit) {
      return failure('oom', 'OutOfMemoryError', `The script runtime ran out of memory (limit ${this.memoryMb} MB)`);
    }
    if (this.#fatal !== null) {
      const crash: RuntimeFailure = {
        kind: 'runtime',
        name: this.#fatal.name,
        message: `The script runtime crashed on an uncaught exception: ${this.#fatal.message}`,
      };
      if (this.#fatal.stack !== undefined) crash.stack = this.#fatal.stack;
      return crash;
    }
    const how = signal !== null ? `signal ${signal}` : `exit code ${String(code)}`;
    if (!this.#everReady) {
      // Misconfiguration (flags, paths, Node version): the last line of stderr says what.
      const last = this.#stderrTail.trim().split('\n').at(-1) ?? '';
      return failure('runtime', 'RuntimeStartError', `The script runtime failed to start (${how})${last ? `: ${last}` : ''}`);
    }
    return failure('runtime', 'RuntimeExitError', `The script runtime exited unexpectedly (${how})`);
  }
}
