/**
 * One runtime process, seen from the server: started inside the OS sandbox, the framed
 * protocol over fd 3 (every frame checked, any bad one ends the runtime), per-call timers, and
 * turning every way the process can end into failure values for the calls it had in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { allowedReadPaths, CHILD_ENTRY } from './allowed-paths.js';
import { startEgressBroker, type EgressBroker, type EgressPolicy, type EgressRefusal } from './egress-broker.js';
import { encodeFrame, FrameDecoder } from './frames.js';
import { sandboxedCommand, type SandboxLevel } from './os-sandbox.js';
import { procStat, TreeUsageWatch, type TreeUsage } from './tree-usage.js';
import { parseChildMessage, type ChildMessage, type InitMessage, type ParentMessage } from './protocol.js';
import { UNCAUGHT_CRASH_MESSAGE, type RuntimeFailure, type RuntimeFailureKind, type ScriptLog } from './types.js';

export type RuntimeAnswer =
  | { ok: true; result: unknown; logs: ScriptLog[] }
  | { ok: false; error: RuntimeFailure; logs: ScriptLog[] };

export interface RuntimeProcessOptions {
  memoryMb: number;
  sandbox: SandboxLevel;
  /** Largest frame accepted from the child; a bigger one ends the runtime. */
  maxFrameBytes: number;
  /**
   * Route the runtime's connections through its own egress broker (the OS sandbox has no
   * network); otherwise the in-process guard checks them.
   */
  brokeredEgress: boolean;
  /** Fork to `ready`; generous because two cores may be busy with tests and databases. */
  startTimeoutMs?: number;
  /**
   * Start from this V8 startup snapshot (startup-snapshot.ts, built for `memoryMb`) instead of
   * loading the host code; the permission flags are the same either way.
   */
  snapshotBlob?: string;
}

/** How a runtime process started: from the startup snapshot, or by loading its code. */
export type RuntimeStartMode = 'snapshot' | 'normal';

interface PendingCall {
  resolve: (answer: RuntimeAnswer) => void;
  timer: NodeJS.Timeout;
}

/** After a timeout, a runtime that cannot answer a ping this fast has a blocked event loop. */
const PING_TIMEOUT_MS = 200;
const STDERR_TAIL_CHARS = 4096;
const HEAP_LIMIT_PATTERN = /heap limit|heap out of memory/i;
/** Stderr read from a child before the rest is ignored (it is only searched for the heap-limit message). */
const STDERR_LIMIT_BYTES = 1024 * 1024;
/**
 * Frames that answer nothing pending (late answers after a timeout are normal, a few) a
 * runtime may send in its life before it is ended as a flood.
 */
const UNSOLICITED_FRAME_LIMIT = 1000;
/** After SIGKILL, how long to wait for the process tree's pipes to close before calling it gone. */
const EXIT_WAIT_MS = 5000;
/** How often the watch walks a runtime's process tree again (between walks it reads each known member's stat only). */
const TREE_REFRESH_MS = 1000;

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

/**
 * The node command line of a runtime (after the sandbox's own): the flags and either the
 * entry, or the snapshot to start from (whose main function replaces the entry).
 */
export function runtimeNodeArgs(memoryMb: number, snapshotBlob?: string): string[] {
  return snapshotBlob === undefined ? [...runtimeExecArgv(memoryMb), CHILD_ENTRY] : ['--snapshot-blob', snapshotBlob, ...runtimeExecArgv(memoryMb)];
}

/** Only what the runtime needs; nothing of the server's environment (tokens, keys, DATABASE_URL). */
export function childEnv(egressSocket?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
  if (egressSocket !== undefined) env['GATEHOUSE_EGRESS_SOCKET'] = egressSocket;
  if (process.env['TZ'] !== undefined) env['TZ'] = process.env['TZ'];
  return env;
}

/** The host pids of a process and all its descendants (Linux /proc); empty when unknown. */
export function processTree(rootPid: number): number[] {
  const pids: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined && pids.length < 64; pid = queue.shift()) {
    pids.push(pid);
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) {
        if (child !== '') queue.push(Number(child));
      }
    } catch {
      // Gone, or not Linux.
    }
  }
  return pids;
}

export class RuntimeProcess {
  readonly memoryMb: number;
  /** The startup snapshot it started from, if any. */
  readonly snapshotBlob: string | undefined;
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
  #crashedAtStart = false;
  #fatal: RuntimeFailure | null = null;
  #stderrTail = '';
  readonly #treeUsage = new TreeUsageWatch({ walk: () => this.treePids(), read: procStat, now: Date.now, refreshMs: TREE_REFRESH_MS });
  #stderrBytes = 0;
  #sawHeapLimit = false;
  readonly #channel: Duplex;
  readonly #decoder: FrameDecoder;
  #unsolicited = 0;
  #lastActivity = Date.now();
  #readyWaiters: (() => void)[] = [];
  #startTimer: NodeJS.Timeout | null;
  #pingTimer: NodeJS.Timeout | null = null;
  readonly exited: Promise<void>;
  #markExited: () => void = () => {};
  #exitedMarked = false;
  /** The runtime's egress broker (null without the OS sandbox); refuses everything until `bind`. */
  #broker: Promise<EgressBroker | null>;
  /** Calls the server failed without the child's answer (timeouts, refusals): their late answers are expected once. */
  readonly #settledEarly = new Set<number>();

  constructor(options: RuntimeProcessOptions) {
    this.memoryMb = options.memoryMb;
    this.snapshotBlob = options.snapshotBlob;
    this.exited = new Promise((resolve) => {
      this.#markExited = resolve;
    });
    this.#decoder = new FrameDecoder(options.maxFrameBytes);
    // A folder of its own per runtime, with an unguessable name: the sandbox binds only this
    // one, and without a mount namespace (unshare) other runtimes cannot find it (mode 0711).
    const socketPath = options.brokeredEgress ? join(tmpdir(), `gatehouse-egress-${randomBytes(12).toString('hex')}`, 'egress.sock') : null;
    this.#broker = socketPath === null ? Promise.resolve(null) : this.#startBroker(socketPath);
    const command = sandboxedCommand(options.sandbox, runtimeNodeArgs(options.memoryMb, options.snapshotBlob), {
      readPaths: allowedReadPaths(),
      ...(socketPath === null ? {} : { socketDirs: [dirname(socketPath)] }),
      ...(options.snapshotBlob === undefined ? {} : { readFiles: [options.snapshotBlob] }),
    });
    this.#child = spawn(command.command, command.args, {
      env: childEnv(socketPath ?? undefined),
      cwd: '/',
      // fd 3 is the channel: a plain pipe, no Node IPC (no internal commands, no handles).
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      // Own process group: a signal to the server's group (Ctrl-C) does not reach runtimes
      // directly; they exit when their channel closes instead.
      detached: true,
      ...(command.uid === undefined ? {} : { uid: command.uid }),
      ...(command.gid === undefined ? {} : { gid: command.gid }),
    });
    const channel = this.#child.stdio[3];
    if (channel === null || channel === undefined || !('write' in channel)) throw new Error('The runtime channel (fd 3) was not created');
    this.#channel = channel as Duplex;
    this.#channel.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#channel.on('error', () => {
      // Ends in 'close' below; a write to a dead child must not throw.
    });
    this.#channel.on('close', () => {
      // A dying process closes its end just before 'close'; only a live one that closed or
      // half-closed the channel (a script shutting fd 3) needs killing.
      setTimeout(() => {
        if (this.#state !== 'dead') {
          this.#killWith(failure('runtime', 'RuntimeExitError', 'The script runtime closed its channel to the server'));
        }
      }, 250).unref();
    });
    this.#channel.on('end', () => this.#channel.end());
    this.#child.on('error', () => {
      // Spawn failures end in 'close' too.
    });
    this.#child.on('close', (code, signal) => this.#onClose(code, signal));
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderrBytes += chunk.length;
      if (this.#stderrBytes > STDERR_LIMIT_BYTES) {
        // A script writing to stderr without end costs the server nothing more than this.
        this.#child.stderr?.destroy();
        return;
      }
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

  get alive(): boolean {
    return this.#state !== 'dead';
  }

  /** When the last call was sent or answered (ms since the epoch); the idle-CPU watch counts from here. */
  get lastActivity(): number {
    return this.#lastActivity;
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

  get startMode(): RuntimeStartMode {
    return this.snapshotBlob === undefined ? 'normal' : 'snapshot';
  }

  /**
   * The process ended by itself before saying `ready` (not killed by the server): its start is
   * broken (flags, a blob node refuses), not merely slow or stopped.
   */
  get crashedAtStart(): boolean {
    return this.#crashedAtStart;
  }

  /** Started and waiting for work (a spare that needs no more waiting). */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** Resolves when the process said `ready` and its broker listens (true), or it died first (false). */
  async whenReady(): Promise<boolean> {
    await this.#broker;
    if (this.#state !== 'starting') return this.#state === 'ready';
    return new Promise((resolve) => this.#readyWaiters.push(() => resolve(this.#state === 'ready')));
  }

  /**
   * Hands the runtime its connection and egress policy; sent once, before any call. The
   * broker applies the policy to every connection whose request arrives from now on.
   */
  bind(init: InitMessage, egress: EgressPolicy): void {
    if (this.#bound) throw new Error('A runtime is bound to one connection only');
    this.#bound = true;
    void this.#broker.then(async (broker) => {
      const applied = await broker?.setPolicy(egress);
      if (applied !== undefined && !applied.ok) {
        this.#killWith(failure('runtime', 'RuntimeStartError', `The egress policy was refused: ${applied.message}`));
      }
    });
    this.#send(init);
  }

  #markSettledEarly(id: number): void {
    this.#settledEarly.add(id);
    // Bounded: the oldest may never be answered (a call stuck for good).
    if (this.#settledEarly.size > UNSOLICITED_FRAME_LIMIT) {
      const oldest = this.#settledEarly.values().next();
      if (oldest.done !== true) this.#settledEarly.delete(oldest.value);
    }
  }

  async #startBroker(socketPath: string): Promise<EgressBroker | null> {
    const started = await startEgressBroker({ socketPath, onRefused: (refusal) => this.#onEgressRefused(refusal) });
    if (started.ok) {
      if (this.#state === 'dead') await started.broker.close();
      return started.broker;
    }
    this.#killWith(failure('runtime', 'RuntimeStartError', `The script runtime's egress broker did not start: ${started.message}`));
    return null;
  }

  /** The broker refused a connection: the call that asked fails now with kind `denied`, whatever the driver makes of the closed socket. */
  #onEgressRefused(refusal: EgressRefusal): void {
    const id = refusal.callId === undefined ? Number.NaN : Number(refusal.callId);
    if (!this.#pending.has(id)) return;
    this.#markSettledEarly(id);
    this.#settle(id, { ok: false, error: failure('denied', 'EgressDeniedError', refusal.message), logs: [] });
  }

  /** `label` names the entry in the timeout message (`The Get user script`). */
  call(entry: string, args: unknown[], timeoutMs: number, label: string): Promise<RuntimeAnswer> {
    if (!this.accepting) {
      const reason = this.#deathReason ?? failure('runtime', 'RuntimeStoppedError', 'The script runtime is stopped');
      return Promise.resolve({ ok: false, error: { ...reason }, logs: [] });
    }
    const id = this.#nextId++;
    this.#lastActivity = Date.now();
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

  /** Host pids of the sandboxed tree (sandbox launcher, its init, node); empty once dead. */
  treePids(): number[] {
    const pid = this.pid;
    return pid === undefined ? [] : processTree(pid);
  }

  /** What the sandboxed tree uses now (see tree-usage.ts); null when none of it could be read. */
  usage(): TreeUsage | null {
    return this.#treeUsage.usage();
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
    if (this.#state === 'dead' || !this.#channel.writable) return;
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
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
      return;
    }
    this.#channel.write(frame);
  }

  #settle(id: number, answer: RuntimeAnswer): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    this.#lastActivity = Date.now();
    pending.resolve(answer);
    if (this.#retiring && this.#pending.size === 0) {
      this.#killWith(failure('runtime', 'RuntimeStoppedError', 'The script runtime was stopped'));
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'dead') return;
    const decoded = this.#decoder.push(chunk);
    if (!decoded.ok) {
      this.#protocolViolation(decoded.reason);
      return;
    }
    for (const raw of decoded.messages) {
      const message = parseChildMessage(raw);
      if (message === null) {
        this.#protocolViolation('a frame does not have the shape of any runtime message');
        return;
      }
      this.#onMessage(message);
      if (!this.alive) return;
    }
  }

  /** Anything but well-formed frames means the child is not our host code speaking: end it. */
  #protocolViolation(reason: string): void {
    this.#killWith(failure('runtime', 'RuntimeProtocolError', `The script runtime was stopped: ${reason}`));
  }

  #onMessage(message: ChildMessage): void {
    switch (message.type) {
      case 'ready':
        if (this.#state === 'starting') this.#onReady();
        else this.#unsolicitedFrame();
        break;
      case 'result':
        if (!this.#pending.has(message.id)) {
          if (!this.#settledEarly.delete(message.id)) this.#unsolicitedFrame();
          return;
        }
        this.#settle(
          message.id,
          message.ok ? { ok: true, result: message.result, logs: message.logs } : { ok: false, error: message.error ?? failure('runtime', 'Error', ''), logs: message.logs },
        );
        break;
      case 'pong':
        if (this.#pingTimer === null) {
          this.#unsolicitedFrame();
          return;
        }
        clearTimeout(this.#pingTimer);
        this.#pingTimer = null;
        break;
      case 'fatal':
        this.#fatal = message.error;
        break;
    }
  }

  #unsolicitedFrame(): void {
    this.#unsolicited += 1;
    if (this.#unsolicited > UNSOLICITED_FRAME_LIMIT) this.#protocolViolation(`more than ${UNSOLICITED_FRAME_LIMIT} frames answered nothing`);
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
    this.#markSettledEarly(id);
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
    this.#killTree();
    this.#failPending(reason);
    // Should a process of the tree escape the group kill, the pool must not wait for it forever.
    setTimeout(() => {
      if (!this.#exitedMarked) {
        this.#killTree();
        this.#finishExit();
      }
    }, EXIT_WAIT_MS).unref();
  }

  /**
   * SIGKILL to the whole process group: the sandbox launcher and everything it started
   * (spawned detached, so the group is the runtime's own; nothing inside can leave it, as
   * scripts cannot call setsid). Killing only the launcher would leave its child running if
   * it had not yet armed --die-with-parent.
   */
  #killTree(): void {
    const pid = this.#child.pid;
    try {
      if (pid !== undefined) process.kill(-pid, 'SIGKILL');
      else this.#child.kill('SIGKILL');
    } catch {
      try {
        this.#child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
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
    if (!this.#everReady && this.#killReason === null) this.#crashedAtStart = true;
    this.#deathReason ??= this.#exitFailure(code, signal);
    this.#markDead();
    this.#failPending(this.#deathReason);
    this.#finishExit();
  }

  #finishExit(): void {
    if (this.#exitedMarked) return;
    this.#exitedMarked = true;
    void this.#broker
      .then((broker) => broker?.close())
      .catch(() => {})
      .finally(() => this.#markExited());
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
        message: `${UNCAUGHT_CRASH_MESSAGE}: ${this.#fatal.message}`,
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
