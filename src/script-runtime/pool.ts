/**
 * The pool of runtime processes: one per connection key, started lazily, replaced when the
 * connection's spec changes, stopped after idling or when the cap needs room (the least used
 * lately first, see use-frequency.ts), plus warm spares (as many as the recent cold-start rate asks, see
 * spare-sizing.ts) so a new connection skips a full Node start.
 *
 * `call` never rejects: every outcome, including the runtime's own failures, is a value.
 */
import { createHash } from 'node:crypto';
import type { EgressPolicy } from './egress-broker.js';
import { isLoopbackHost, sandboxCapabilities, type SandboxLevel } from './os-sandbox.js';
import { RuntimeProcess, runtimeExecArgv, type RuntimeAnswer, type RuntimeStartMode } from './runtime-process.js';
import { blobIdentity, markSnapshotUsed, sharedStartupSnapshot, type BlobIdentity, type SnapshotBuild } from './startup-snapshot.js';
import { DEFAULT_SPARE_SIZING, SpareSizer } from './spare-sizing.js';
import { DEFAULT_USE_FREQUENCY, UseFrequency } from './use-frequency.js';
import {
  DEFAULT_LOG_LIMIT_BYTES,
  DEFAULT_RESULT_LIMIT_BYTES,
  DEFAULT_MEMORY_MB,
  MAX_MEMORY_MB,
  MAX_TIMEOUT_MS,
  MIN_MEMORY_MB,
  MIN_TIMEOUT_MS,
  entryLabel,
  type RunOutcome,
  type RuntimeFailure,
  type RuntimeFailureKind,
  type RuntimeSpec,
  type RuntimeStopReason,
  type SandboxStatus,
  type ScriptRuntimePoolEvents,
  type StartupSnapshotStatus,
  type ScriptRuntimePoolOptions,
} from './types.js';

const DEFAULT_TIMEOUT_MS = 5000;
/** The taken spare's replacement waits for the first call or this long, to leave it the CPU. */
const SPARE_REFILL_DELAY_MS = 250;
/**
 * ... and after the first call answers, this much more: forking blocks the server's event
 * loop until the child has exec'd (5-40 ms on the 2-core machine) and the child's start then
 * takes a core for ~150 ms, while the caller still has its answer to finish (a login: the
 * throttle's writes, the token, the HTTP response).
 */
const SPARE_REFILL_AFTER_CALL_MS = 50;
const WATCH_POLL_MS = 250;
/** Starts from the snapshot in a row that exit before `ready` before the pool stops using it. */
const SNAPSHOT_START_FAILURES = 3;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux port in use). */
const CLOCK_TICKS_PER_SECOND = 100;
/** After a call is answered, drivers may finish up (close sockets, GC) before CPU counts as idle. */
const IDLE_GRACE_MS = 500;
/** Consecutive busy idle samples (of WATCH_POLL_MS each) before a runtime is stopped. */
const IDLE_BUSY_SAMPLES = 4;

interface CpuSample {
  ticks: number;
  at: number;
  busySamples: number;
}

/**
 * Resident-memory ceiling of a runtime. `--max-old-space-size` caps the V8 heap only; this
 * catches memory outside it (Buffers, typed arrays). The headroom covers Node itself
 * (~50 MB), loaded drivers and the young generation, so it is a backstop, not a precise cap.
 */
export function residentLimitMb(memoryMb: number): number {
  return 2 * memoryMb + 128;
}

interface Binding {
  hash: string;
  runtime: RuntimeProcess;
  lastUsed: number;
  /**
   * Calls on this binding not yet answered, counted from the moment they chose it: unlike the
   * runtime's own pending count, this includes a call still waiting for its runtime to start,
   * which the cap must not stop under it.
   */
  calls: number;
}

interface EffectiveLimits {
  timeoutMs: number;
  memoryMb: number;
  egress: EgressPolicy;
}

function failure(kind: RuntimeFailureKind, name: string, message: string): RuntimeFailure {
  return { kind, name, message };
}

function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

/** Without a policy, a runtime reaches public addresses only (the broker's default for no allowlist). */
const PUBLIC_ONLY: EgressPolicy = Object.freeze({ allow: [], anyPublicAddress: true, deny: [] });

/**
 * Hosts the in-process guard (no OS sandbox) allows: the guard knows names and IPs only, and
 * an empty list means any host but the always-blocked ones, as before the broker existed.
 */
function guardHosts(policy: EgressPolicy): string[] {
  return policy.anyPublicAddress ? [] : policy.allow.map((rule) => rule.host);
}

function limitsOf(spec: RuntimeSpec): EffectiveLimits {
  return {
    timeoutMs: clamp(spec.limits.timeoutMs, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
    memoryMb: clamp(spec.limits.memoryMb, MIN_MEMORY_MB, MAX_MEMORY_MB, DEFAULT_MEMORY_MB),
    egress: spec.egress ?? PUBLIC_ONLY,
  };
}

/** The entries with a string source, in the order given. */
function entriesOf(spec: RuntimeSpec): [string, string][] {
  return Object.entries(spec.sources).filter((pair): pair is [string, string] => typeof pair[1] === 'string');
}

/**
 * Per spec object: a caller that passes the same (unchanged) spec on every call pays for
 * hashing its scripts once. Specs are treated as immutable; a changed config is a new object.
 */
const hashes = new WeakMap<RuntimeSpec, string>();

/** Anything that changes what runs, or how, starts a fresh runtime (labels only name things in messages). */
function specHash(spec: RuntimeSpec, limits: EffectiveLimits): string {
  const cached = hashes.get(spec);
  if (cached !== undefined) return cached;
  const env = Object.entries(spec.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256')
    .update(JSON.stringify([entriesOf(spec), spec.globalsSource ?? null, env, limits]))
    .digest('base64');
  hashes.set(spec, hash);
  return hash;
}

/** `GATEHOUSE_RUNTIME_SNAPSHOT=0` (or `false`, `off`, `no`): operators turn the startup snapshot off. */
function snapshotWantedByEnv(): boolean {
  const value = process.env['GATEHOUSE_RUNTIME_SNAPSHOT']?.trim().toLowerCase();
  return !(value === '0' || value === 'false' || value === 'off' || value === 'no');
}

export class ScriptRuntimePool {
  readonly #maxRuntimes: number;
  readonly #idleMs: number;
  readonly #warmSpare: boolean;
  readonly #logLimitBytes: number;
  readonly #resultLimitBytes: number;
  readonly #sandbox: SandboxStatus;
  readonly #idleCpuShare: number;
  readonly #cpuSamples = new WeakMap<RuntimeProcess, CpuSample>();
  readonly #events: ScriptRuntimePoolEvents;
  /** Why the pool stopped (or saw fail) a bound runtime; the first cause wins. */
  readonly #stopReasons = new WeakMap<RuntimeProcess, RuntimeStopReason>();
  /** Map order is recency order: a used binding is moved to the end, so the first is the LRU. */
  readonly #bindings = new Map<string, Binding>();
  /** Unbound from their key, finishing the calls in flight before they are killed. */
  readonly #retiring = new Set<RuntimeProcess>();
  /** The replaced runtime of each key still finishing its calls: at most one per key. */
  readonly #retiringByKey = new Map<string, RuntimeProcess>();
  /** Started but not bound to any key: a spare serves exactly one connection, then is bound for good. */
  #spares: RuntimeProcess[] = [];
  readonly #spareSizer: SpareSizer;
  /** Recent calls per key (bound or not): who keeps a runtime when the cap needs room. */
  readonly #useFrequency: UseFrequency;
  /** Runtimes bound to a key so far: every one is a cold start (a spare taken or a new process). */
  #coldStarts = 0;
  #lastColdStart = Number.NEGATIVE_INFINITY;
  #closed = false;
  /** The startup snapshot runtimes of the default heap start from once it is ready. */
  #snapshot: StartupSnapshotStatus;
  /** The ready blob's file as built or found: one found otherwise at a failed start was replaced under the server. */
  #snapshotIdentity: BlobIdentity | null = null;
  /** Runtimes started from the snapshot in a row that exited before `ready`. */
  #snapshotStartFailures = 0;
  readonly #snapshotSettled: Promise<StartupSnapshotStatus>;
  readonly #sweeper: NodeJS.Timeout;
  readonly #memoryWatch: NodeJS.Timeout;

  constructor(options: ScriptRuntimePoolOptions = {}) {
    this.#maxRuntimes = Math.max(1, Math.floor(options.maxRuntimes ?? 50));
    this.#idleMs = Math.max(1, options.idleMs ?? 10 * 60_000);
    this.#warmSpare = options.warmSpare ?? true;
    this.#spareSizer = new SpareSizer({
      ...DEFAULT_SPARE_SIZING,
      ...Object.fromEntries(Object.entries(options.warmSpares ?? {}).filter(([, value]) => value !== undefined)),
      now: options.now ?? Date.now,
    });
    this.#useFrequency = new UseFrequency({ ...DEFAULT_USE_FREQUENCY, now: options.now ?? Date.now });
    this.#logLimitBytes = Math.max(256, options.logLimitBytes ?? DEFAULT_LOG_LIMIT_BYTES);
    this.#resultLimitBytes = Math.max(1024, options.resultLimitBytes ?? DEFAULT_RESULT_LIMIT_BYTES);
    this.#idleCpuShare = Math.min(1, Math.max(0.02, options.idleCpuShare ?? 0.1));
    this.#sandbox = sandboxStatusFor(options);
    this.#events = options.events ?? {};
    const snapshot = options.startupSnapshot ?? snapshotWantedByEnv();
    if (snapshot === false || !this.#sandbox.scriptsAllowed) {
      this.#snapshot = { state: 'off', reason: snapshot === false ? 'turned off (GATEHOUSE_RUNTIME_SNAPSHOT=0 or the pool\'s options)' : 'scripts may not run' };
      this.#snapshotSettled = Promise.resolve(this.#snapshot);
    } else {
      const build = sharedStartupSnapshot({
        memoryMb: DEFAULT_MEMORY_MB,
        runtimeArgs: runtimeExecArgv(DEFAULT_MEMORY_MB),
        ...(snapshot === true ? {} : snapshot),
      });
      this.#snapshot = build.settled === null ? { state: 'building', memoryMb: DEFAULT_MEMORY_MB } : snapshotStatusOf(build.settled);
      if (build.settled?.ok === true) this.#snapshotIdentity = build.settled.identity;
      this.#snapshotSettled = build.promise.then((result) => {
        // A snapshot found broken by a runtime's start meanwhile stays failed.
        if (this.#snapshot.state === 'building') {
          this.#snapshot = snapshotStatusOf(result);
          if (result.ok) this.#snapshotIdentity = result.identity;
        }
        return { ...this.#snapshot };
      });
    }
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(60_000, Math.max(50, this.#idleMs / 2)));
    this.#sweeper.unref();
    this.#memoryWatch = setInterval(() => this.#watch(), WATCH_POLL_MS);
    this.#memoryWatch.unref();
    this.#ensureSpare();
  }

  /** The sandbox runtimes start in, and whether scripts may run at all; for the start-up log and the console. */
  sandboxStatus(): SandboxStatus {
    return { ...this.#sandbox };
  }

  /**
   * The startup snapshot: `ready` (runtimes of `memoryMb` start from `blob`), `building` (they
   * start the normal way meanwhile), `failed` or `off` (they always do; `reason` says why).
   */
  startupSnapshot(): StartupSnapshotStatus {
    return { ...this.#snapshot };
  }

  /** Resolves once the snapshot's build has finished (or at once when it is off). */
  startupSnapshotSettled(): Promise<StartupSnapshotStatus> {
    return this.#snapshotSettled;
  }

  /** How the runtime bound to `key` started (undefined when none is bound). */
  runtimeStartMode(key: string): RuntimeStartMode | undefined {
    return this.#bindings.get(key)?.runtime.startMode;
  }

  /** Runs `entry` of `spec` with `args` in the runtime bound to `spec.key` (started or replaced as needed). */
  async call(spec: RuntimeSpec, entry: string, args: unknown[]): Promise<RunOutcome> {
    const started = performance.now();
    let answer: RuntimeAnswer;
    try {
      answer = await this.#call(spec, entry, args);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      answer = { ok: false, error: failure('runtime', 'InternalError', `The script runtime failed: ${detail}`), logs: [] };
    }
    const durationMs = performance.now() - started;
    return answer.ok
      ? { ok: true, result: answer.result, logs: answer.logs, durationMs }
      : { ok: false, error: answer.error, logs: answer.logs, durationMs };
  }

  /**
   * Binds a runtime to `spec` now, without a call: a connection just saved has its scripts
   * sent and compiled while its owner is still reading the save's answer, so its first call
   * does not wait for that. Only a ready spare is used: nothing is forked (a script saving a
   * thousand connections must not start a thousand processes, nor evict runtimes in use), and
   * nothing happens when its runtime is already current, when scripts may not run, or when
   * `spec` has no entry to load.
   */
  prepare(spec: RuntimeSpec): void {
    if (this.#closed || !this.#sandbox.scriptsAllowed || entriesOf(spec).length === 0) return;
    const limits = limitsOf(spec);
    const existing = this.#bindings.get(spec.key);
    if (existing !== undefined && existing.hash === specHash(spec, limits) && existing.runtime.accepting) return;
    const readySpare = this.#spares.some((spare) => spare.ready && spare.accepting && spare.memoryMb === limits.memoryMb);
    if (!readySpare || this.#bindings.size >= this.#maxRuntimes) return;
    // Counted as a use: a connection just saved is about to be called, not the first to stop.
    this.#useFrequency.record(spec.key);
    this.#bindingFor(spec, limits);
  }

  /** Stops the runtime of `key` (its connection was saved or deleted); calls in flight may finish. */
  async invalidate(key: string): Promise<void> {
    const binding = this.#bindings.get(key);
    if (binding === undefined) return;
    this.#bindings.delete(key);
    this.#markStop(binding.runtime, 'changed');
    await this.#retire(binding.runtime, key);
  }

  runtimePid(key: string): number | undefined {
    return this.#bindings.get(key)?.runtime.pid;
  }

  /** `sparesFromSnapshot`: how many of the live spares started from the startup snapshot. */
  stats(): { runtimes: number; spare: boolean; spares: number; sparesFromSnapshot: number; retiring: number; coldStarts: number } {
    let runtimes = 0;
    for (const binding of this.#bindings.values()) if (binding.runtime.accepting) runtimes++;
    const live = this.#spares.filter((spare) => spare.accepting);
    const sparesFromSnapshot = live.filter((spare) => spare.startMode === 'snapshot').length;
    return { runtimes, spare: live.length > 0, spares: live.length, sparesFromSnapshot, retiring: this.#retiring.size, coldStarts: this.#coldStarts };
  }

  /** Resolves once the warm spares (if enabled) have started; useful at server start and in benchmarks. */
  async warmUp(): Promise<void> {
    this.#ensureSpare();
    await Promise.all(this.#spares.map((spare) => spare.whenReady()));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    clearInterval(this.#memoryWatch);
    const runtimes = [...[...this.#bindings.values()].map((b) => b.runtime), ...this.#retiring, ...this.#spares];
    this.#bindings.clear();
    this.#retiring.clear();
    this.#retiringByKey.clear();
    this.#spares = [];
    const reason = failure('runtime', 'RuntimeStoppedError', 'The script runtime pool was closed');
    await Promise.all(runtimes.map((runtime) => runtime.kill(reason)));
  }

  async #call(spec: RuntimeSpec, entry: string, args: unknown[]): Promise<RuntimeAnswer> {
    if (this.#closed) {
      return { ok: false, error: failure('runtime', 'RuntimeStoppedError', 'The script runtime pool is closed'), logs: [] };
    }
    if (!this.#sandbox.scriptsAllowed) {
      return { ok: false, error: failure('denied', 'SandboxUnavailableError', this.#sandbox.warning ?? this.#sandbox.reason), logs: [] };
    }
    if (typeof entry !== 'string' || !Object.hasOwn(spec.sources, entry) || typeof spec.sources[entry] !== 'string') {
      return { ok: false, error: failure('runtime', 'Error', `Unknown entry ${JSON.stringify(entry)}`), logs: [] };
    }

    const limits = limitsOf(spec);
    this.#useFrequency.record(spec.key);
    for (let attempt = 1; ; attempt++) {
      // The retry after a failed start from the snapshot starts the normal way, spares aside.
      const { binding, tookSpare } = this.#bindingFor(spec, limits, attempt > 1);
      const refill = tookSpare ? setTimeout(() => this.#ensureSpare(), SPARE_REFILL_DELAY_MS) : null;
      binding.calls++;
      try {
        // The time limit is the script's: it starts once the process is up (a cold start on a
        // busy machine must not eat a 100 ms budget), and covers loading the scripts.
        if (!(await binding.runtime.whenReady())) {
          // A blob node refuses (removed or replaced under the server) is the snapshot's
          // fault, not the call's: once, start a runtime the normal way instead.
          if (attempt === 1 && binding.runtime.snapshotBlob !== undefined && binding.runtime.crashedAtStart) continue;
          const reason = binding.runtime.deathReason ?? failure('runtime', 'RuntimeStartError', 'The script runtime failed to start');
          return { ok: false, error: reason, logs: [] };
        }
        const answer = await binding.runtime.call(entry, Array.isArray(args) ? args : [], limits.timeoutMs, entryLabel(spec, entry));
        // A timed-out call retires its runtime (runtime-process.ts); say why when it exits.
        if (!answer.ok && answer.error.kind === 'timeout') this.#markStop(binding.runtime, 'timeout');
        binding.lastUsed = Date.now();
        return answer;
      } finally {
        binding.calls--;
        if (refill !== null) {
          clearTimeout(refill);
          setTimeout(() => this.#ensureSpare(), SPARE_REFILL_AFTER_CALL_MS).unref();
        }
      }
    }
  }

  #bindingFor(spec: RuntimeSpec, limits: EffectiveLimits, normalStart = false): { binding: Binding; tookSpare: boolean } {
    const hash = specHash(spec, limits);
    const existing = this.#bindings.get(spec.key);
    if (existing !== undefined) {
      this.#bindings.delete(spec.key);
      if (existing.hash === hash && existing.runtime.accepting) {
        existing.lastUsed = Date.now();
        this.#bindings.set(spec.key, existing);
        return { binding: existing, tookSpare: false };
      }
      if (existing.runtime.accepting) this.#markStop(existing.runtime, 'changed');
      void this.#retire(existing.runtime, spec.key);
    }
    this.#evictForRoom();
    this.#coldStarts++;
    this.#lastColdStart = performance.now();
    this.#spareSizer.recordColdStart();
    const spare = normalStart ? null : this.#takeSpare(limits.memoryMb);
    const runtime = spare ?? this.#newRuntime(limits.memoryMb, normalStart);
    runtime.bind({
      type: 'init',
      entries: entriesOf(spec),
      globalsSource: typeof spec.globalsSource === 'string' ? spec.globalsSource : null,
      env: { ...spec.env },
      allowedHosts: guardHosts(limits.egress),
      logLimitBytes: this.#logLimitBytes,
      resultLimitBytes: this.#resultLimitBytes,
    }, limits.egress);
    const binding: Binding = { hash, runtime, lastUsed: Date.now(), calls: 0 };
    this.#bindings.set(spec.key, binding);
    void runtime.exited.then(() => this.#reportStop(runtime));
    return { binding, tookSpare: spare !== null };
  }

  /**
   * A runtime started from the snapshot exited by itself before `ready` (its call is retried
   * once on a normal start, see `#call`). The pool stops using the snapshot (the state says
   * why) when node refused the blob: its file is gone or was replaced under the server, or
   * SNAPSHOT_START_FAILURES starts from it in a row failed. One failure alone can be anything
   * (the OOM killer, a clone failing under load) and turns nothing off. Called once per
   * runtime, from the watch `#newRuntime` sets on its start.
   */
  #snapshotStartFailed(runtime: RuntimeProcess, blob: string): void {
    if (this.#snapshot.state !== 'ready' || this.#snapshot.blob !== blob) return;
    this.#snapshotStartFailures++;
    const now = blobIdentity(blob);
    const replaced = now === null || now.ino !== this.#snapshotIdentity?.ino || now.size !== this.#snapshotIdentity.size;
    if (replaced || this.#snapshotStartFailures >= SNAPSHOT_START_FAILURES) {
      const why = runtime.deathReason?.message ?? 'it did not start';
      const which = replaced ? 'its file was removed or replaced, and a runtime started from it failed' : `${this.#snapshotStartFailures} runtimes started from it in a row failed`;
      this.#snapshot = { state: 'failed', memoryMb: this.#snapshot.memoryMb, reason: `${which}: ${why}` };
    }
  }

  /** Spares are forked with the default heap cap; a connection asking for another needs its own process. */
  #takeSpare(memoryMb: number): RuntimeProcess | null {
    // A ready spare first: one still starting is no faster than the rest.
    const usable = this.#spares.filter((spare) => spare.accepting && spare.memoryMb === memoryMb);
    const spare = usable.find((candidate) => candidate.ready) ?? usable[0];
    if (spare === undefined) return null;
    this.#spares = this.#spares.filter((other) => other !== spare);
    return spare;
  }

  #newRuntime(memoryMb: number, normalStart = false): RuntimeProcess {
    const snapshot = this.#snapshot;
    // The heap cap is baked into the blob: only runtimes of its size can start from it.
    const blob = !normalStart && snapshot.state === 'ready' && snapshot.memoryMb === memoryMb ? snapshot.blob : undefined;
    const runtime = new RuntimeProcess({
      memoryMb,
      sandbox: this.#sandbox.level,
      brokeredEgress: this.#sandbox.level !== 'none',
      // A result, the call's console output (4 bytes per character at worst) and the envelope.
      maxFrameBytes: this.#resultLimitBytes + 4 * this.#logLimitBytes + 64 * 1024,
      ...(blob === undefined ? {} : { snapshotBlob: blob }),
    });
    if (blob !== undefined) {
      markSnapshotUsed(blob);
      // A blob node refuses (removed, replaced by a different node) breaks every start from
      // it: the runtimes that follow start the normal way. A call waiting on this one fails
      // once, as with any runtime that does not start.
      void runtime.whenReady().then((ready) => {
        if (ready) this.#snapshotStartFailures = 0;
        else if (runtime.crashedAtStart) this.#snapshotStartFailed(runtime, blob);
      });
    }
    return runtime;
  }

  #ensureSpare(): void {
    if (!this.#warmSpare || this.#closed) return;
    this.#spares = this.#spares.filter((spare) => spare.accepting);
    for (let missing = this.#spareSizer.target() - this.#spares.length; missing > 0; missing--) {
      const spare = this.#newRuntime(DEFAULT_MEMORY_MB);
      const forked = performance.now();
      this.#spares.push(spare);
      void spare.whenReady().then((ready) => {
        if (ready) this.#spareSizer.recordStartup(performance.now() - forked);
      });
      void spare.exited.then(() => {
        this.#spares = this.#spares.filter((other) => other !== spare);
      });
    }
  }

  /** Spares beyond what the rate asks for now are idle memory: stopped, newest first. */
  #trimSpares(): void {
    const target = this.#warmSpare ? this.#spareSizer.target() : 0;
    while (this.#spares.length > target) {
      const extra = this.#spares.pop();
      void extra?.kill(failure('runtime', 'RuntimeStoppedError', 'A warm spare no longer needed was stopped'));
    }
  }

  /**
   * Stops runtimes until one more fits under the cap: the one with no call in flight used
   * least lately (the lowest decayed use count; among equals, the least recently used, which
   * map order gives), else the least recently used of all.
   */
  #evictForRoom(): void {
    while (this.#bindings.size >= this.#maxRuntimes) {
      let victim: [string, Binding] | undefined;
      let victimScore = Number.POSITIVE_INFINITY;
      for (const entry of this.#bindings) {
        if (entry[1].calls !== 0 || entry[1].runtime.pendingCount !== 0) continue;
        const score = this.#useFrequency.score(entry[0]);
        if (score < victimScore) {
          victim = entry;
          victimScore = score;
        }
      }
      victim ??= this.#bindings.entries().next().value;
      if (victim === undefined) return;
      this.#bindings.delete(victim[0]);
      this.#markStop(victim[1].runtime, 'evicted');
      void this.#retire(victim[1].runtime, victim[0]);
    }
  }

  #markStop(runtime: RuntimeProcess, reason: RuntimeStopReason): void {
    if (!this.#stopReasons.has(runtime)) this.#stopReasons.set(runtime, reason);
  }

  /** Tells the watcher why a bound runtime exited: the cause the pool saw, else its death. */
  #reportStop(runtime: RuntimeProcess): void {
    if (this.#closed) return;
    const death = runtime.deathReason;
    const reason =
      this.#stopReasons.get(runtime) ??
      (death?.kind === 'oom' ? 'oom' : death?.name === 'RuntimeStartError' ? 'start_failed' : 'crash');
    try {
      this.#events.runtimeStopped?.(reason);
    } catch {
      // A watcher's failure must not reach the runtimes.
    }
  }

  /**
   * Lets the calls in flight on a replaced runtime finish, then stops it. Only the latest
   * replaced runtime of a key is left to finish: one replaced before it is killed now, so
   * saving a connection after every slow call cannot pile up live processes (each outside
   * `maxRuntimes`) until the machine's memory runs out for every pool.
   */
  #retire(runtime: RuntimeProcess, key: string): Promise<void> {
    const older = this.#retiringByKey.get(key);
    if (older !== undefined && older !== runtime) {
      void older.kill(failure('runtime', 'RuntimeStoppedError', 'The script runtime was replaced again while this call ran'));
    }
    this.#retiringByKey.set(key, runtime);
    this.#retiring.add(runtime);
    return runtime.retire().then(() => {
      this.#retiring.delete(runtime);
      if (this.#retiringByKey.get(key) === runtime) this.#retiringByKey.delete(key);
    });
  }

  #watch(): void {
    // The spares follow the cold-start rate; a refill waits as a taken spare's does, to
    // leave the CPU to the cold start in progress.
    this.#trimSpares();
    if (performance.now() - this.#lastColdStart >= SPARE_REFILL_DELAY_MS) this.#ensureSpare();
    const runtimes = [...[...this.#bindings.values()].map((b) => b.runtime), ...this.#retiring];
    const now = Date.now();
    for (const runtime of runtimes) {
      if (!runtime.alive) continue;
      const usage = runtime.usage();
      if (usage === null) continue;
      this.#checkMemory(runtime, usage.residentMb);
      this.#checkIdleCpu(runtime, usage.cpuTicks, now);
    }
  }

  #checkMemory(runtime: RuntimeProcess, resident: number): void {
    const limit = residentLimitMb(runtime.memoryMb);
    if (resident > limit) {
      this.#markStop(runtime, 'oom');
      void runtime.kill(
        failure(
          'oom',
          'OutOfMemoryError',
          `The script runtime ran out of memory (resident ${Math.round(resident)} MB over the ${limit} MB ceiling for a ${runtime.memoryMb} MB runtime)`,
        ),
      );
    }
  }

  /**
   * A runtime has no business using CPU between calls (a driver's keep-alive costs nothing
   * measurable); one that does (a timer spinning after its call returned) is stopped, so a
   * script cannot slow the server and other pools down outside its time limit.
   */
  #checkIdleCpu(runtime: RuntimeProcess, ticks: number, now: number): void {
    const last = this.#cpuSamples.get(runtime);
    const sample: CpuSample = { ticks, at: now, busySamples: 0 };
    const idle = runtime.pendingCount === 0 && now - runtime.lastActivity >= IDLE_GRACE_MS;
    if (last !== undefined && idle && last.at >= runtime.lastActivity) {
      const share = ((ticks - last.ticks) * 1000) / CLOCK_TICKS_PER_SECOND / Math.max(1, now - last.at);
      sample.busySamples = share > this.#idleCpuShare ? last.busySamples + 1 : 0;
    }
    this.#cpuSamples.set(runtime, sample);
    if (sample.busySamples >= IDLE_BUSY_SAMPLES) {
      this.#markStop(runtime, 'cpu');
      void runtime.kill(
        failure('runtime', 'RuntimeStoppedError', 'The script runtime was stopped for using CPU with no call in flight (a timer or loop left running after a call)'),
      );
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, binding] of this.#bindings) {
      const { runtime } = binding;
      const idle = binding.calls === 0 && runtime.pendingCount === 0 && now - binding.lastUsed >= this.#idleMs;
      if (!runtime.accepting || idle) {
        if (runtime.accepting) this.#markStop(runtime, 'idle');
        this.#bindings.delete(key);
        void this.#retire(runtime, key);
      }
    }
  }
}

function snapshotStatusOf(build: SnapshotBuild): StartupSnapshotStatus {
  return build.ok ? { state: 'ready', memoryMb: DEFAULT_MEMORY_MB, blob: build.blob } : { state: 'failed', memoryMb: DEFAULT_MEMORY_MB, reason: build.reason };
}

/** The sandbox a pool with these options would start runtimes in; `gatehouse doctor` asks without starting one. */
export function sandboxStatusFor(options: Pick<ScriptRuntimePoolOptions, 'sandbox' | 'listenHost' | 'allowUnsandboxed'>): SandboxStatus {
  const detected = sandboxCapabilities();
  const forced = options.sandbox ?? 'auto';
  const level: SandboxLevel = forced === 'auto' ? detected.level : forced;
  const reason = forced === 'auto' || forced === detected.level ? detected.reason : `forced to ${forced} by the pool's options`;
  if (level === 'bwrap') return { level, reason, scriptsAllowed: true };
  const host = options.listenHost ?? '127.0.0.1';
  const fix = 'Install bubblewrap (apt install bubblewrap) and allow unprivileged user namespaces, or set GATEHOUSE_UNSAFE_SCRIPTS=1 if you trust every script author';
  if (level === 'unshare') {
    // unshare isolates network, processes and the uid, but runtimes see the host's files:
    // unix sockets (a database's, say) stay reachable by path. Good enough for a developer's
    // machine; a server reachable from elsewhere needs bubblewrap's minimal file view.
    const gap = "the unshare fallback shares the host's file view, so unix sockets on this host are reachable by path";
    if (options.allowUnsandboxed === true) {
      return { level, reason, scriptsAllowed: true, warning: `Scripts run in the unshare fallback (GATEHOUSE_UNSAFE_SCRIPTS=1): ${gap}` };
    }
    if (isLoopbackHost(host)) {
      return { level, reason, scriptsAllowed: true, warning: `Scripts run in the unshare fallback because the server listens on ${host} (loopback) only: ${gap}. Install bubblewrap (apt install bubblewrap) before serving beyond loopback.` };
    }
    return {
      level,
      reason,
      scriptsAllowed: false,
      warning: `Scripts are disabled: only the unshare fallback is available (${gap}) and the server listens on ${host}, beyond loopback. ${fix}.`,
    };
  }
  if (options.allowUnsandboxed === true) {
    return { level, reason, scriptsAllowed: true, warning: `Scripts run without an OS sandbox (GATEHOUSE_UNSAFE_SCRIPTS=1): ${reason}` };
  }
  if (isLoopbackHost(host)) {
    return {
      level,
      reason,
      scriptsAllowed: true,
      warning: `Scripts run without an OS sandbox, only with the in-process guard, because the server listens on ${host} (loopback) only: ${reason}`,
    };
  }
  return {
    level,
    reason,
    scriptsAllowed: false,
    warning: `Scripts are disabled: there is no OS sandbox (${reason}) and the server listens on ${host}, beyond loopback. ${fix}.`,
  };
}
