/**
 * The circuit breaker and concurrency cap of one pool's connection, on this server instance.
 *
 * - Cap: at most `maxConcurrency` calls in flight; a call beyond it waits in a bounded queue
 *   (at most as many waiting as may run) for up to `queueWaitMs`, then is refused as `busy`.
 * - Breaker: `breakerThreshold` consecutive infrastructure failures open the circuit; while
 *   open, counted calls are refused at once with the cooldown's remaining seconds. Once the
 *   cooldown has passed, exactly one call goes through as a probe (half-open): its success
 *   closes the circuit, its failure opens it for another cooldown.
 *
 * State lives in this process only (each instance learns on its own that a database is
 * down; no store round trip is added to a login). It knows nothing of scripts: the caller
 * says whether an outcome was an infrastructure failure.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface GuardSettings {
  maxConcurrency: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
}

export interface ConnectionHealth {
  circuit: CircuitState;
  inFlight: number;
  consecutiveFailures: number;
  /** ISO time the circuit last opened, while it is not closed; null when closed */
  openedAt: string | null;
}

export interface GuardClock {
  now(): number;
  /** how long a call beyond the cap waits for a slot */
  queueWaitMs: number;
}

/** Why a call was refused, and when to retry (whole seconds, at least 1). */
export interface Refusal {
  reason: 'open' | 'busy';
  retryAfterSeconds: number;
}

export type Guarded<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export interface RunOptions<T> {
  /** false for calls that neither consult nor move the breaker (debug runs); they still take a slot */
  counted: boolean;
  /** true when the outcome is an infrastructure failure (what the API answers 502 or 504) */
  failed(outcome: T): boolean;
}

export const QUEUE_WAIT_MS = 1000;

export class ConnectionGuard {
  private state: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private probing = false;
  /** bumped by `reset`: outcomes of calls admitted before it do not move the new state */
  private generation = 0;
  private inFlight = 0;
  /** the cooldown of the last call's settings, for `health` */
  private cooldownMs = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly clock: GuardClock) {}

  async run<T>(settings: GuardSettings, options: RunOptions<T>, task: () => Promise<T>): Promise<Guarded<T>> {
    this.cooldownMs = settings.breakerCooldownMs;
    let probe = false;
    if (options.counted) {
      const verdict = this.admitThroughCircuit(settings);
      if (verdict !== 'pass' && verdict !== 'probe') return { ok: false, refusal: verdict };
      probe = verdict === 'probe';
    }
    const slot = await this.acquireSlot(settings);
    if (slot !== null) {
      if (probe) this.probing = false;
      return { ok: false, refusal: slot };
    }
    const generation = this.generation;
    const counts = () => options.counted && generation === this.generation;
    let outcome: T;
    try {
      outcome = await task();
    } catch (error) {
      // A task that throws failed too, and must not leave a probe marked as in flight forever.
      if (counts()) this.settle(settings, probe, true);
      throw error;
    } finally {
      this.releaseSlot();
    }
    if (counts()) this.settle(settings, probe, options.failed(outcome));
    return { ok: true, value: outcome };
  }

  /** An open circuit whose cooldown has passed reads as half-open: its next call is the probe. */
  health(): ConnectionHealth {
    const cooled = this.state === 'open' && this.openedAt !== null && this.clock.now() - this.openedAt >= this.cooldownMs;
    return {
      circuit: cooled ? 'half-open' : this.state,
      inFlight: this.inFlight,
      consecutiveFailures: this.consecutiveFailures,
      openedAt: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
    };
  }

  /** A new config was saved: its scripts and database get a fresh chance (calls in flight keep their slots). */
  reset(): void {
    this.state = 'closed';
    this.consecutiveFailures = 0;
    this.openedAt = null;
    this.probing = false;
    this.generation += 1;
  }

  private admitThroughCircuit(settings: GuardSettings): 'pass' | 'probe' | Refusal {
    if (this.state === 'closed') return 'pass';
    if (this.state === 'open') {
      const remainingMs = (this.openedAt ?? 0) + settings.breakerCooldownMs - this.clock.now();
      if (remainingMs > 0) return { reason: 'open', retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
      this.state = 'half-open';
    }
    // Half-open: one probe at a time; everyone else is told to come back shortly.
    if (this.probing) return { reason: 'open', retryAfterSeconds: 1 };
    this.probing = true;
    return 'probe';
  }

  private settle(settings: GuardSettings, probe: boolean, failed: boolean): void {
    if (probe) this.probing = false;
    if (!failed) {
      this.consecutiveFailures = 0;
      // A call admitted before the circuit opened that succeeds late does not close it: only a probe does.
      if (probe) {
        this.state = 'closed';
        this.openedAt = null;
      }
      return;
    }
    this.consecutiveFailures += 1;
    if (probe || (this.state === 'closed' && this.consecutiveFailures >= settings.breakerThreshold)) {
      this.state = 'open';
      this.openedAt = this.clock.now();
    }
  }

  /** null once a slot is held; a refusal when none came free in time (or the queue is full). */
  private async acquireSlot(settings: GuardSettings): Promise<Refusal | null> {
    if (this.inFlight < settings.maxConcurrency) {
      this.inFlight += 1;
      return null;
    }
    const busy: Refusal = { reason: 'busy', retryAfterSeconds: Math.max(1, Math.ceil(this.clock.queueWaitMs / 1000)) };
    if (this.waiting.length >= settings.maxConcurrency) return busy;
    return new Promise<Refusal | null>((resolve) => {
      const handOver = () => {
        clearTimeout(timer);
        resolve(null);
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(handOver);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve(busy);
      }, this.clock.queueWaitMs);
      this.waiting.push(handOver);
    });
  }

  private releaseSlot(): void {
    // The slot passes straight to the longest waiter, so inFlight never dips under the cap while calls wait.
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}

/** One guard per pool on this instance, reset when the pool's connection is saved again. */
export interface ConnectionGuards {
  /** The pool's guard for a config at `revision`; a newer revision than last seen resets it. */
  forPool(poolId: string, revision: number): ConnectionGuard;
  health(poolId: string): ConnectionHealth;
}

export function connectionGuards(clock: GuardClock): ConnectionGuards {
  const guards = new Map<string, { revision: number; guard: ConnectionGuard }>();
  return {
    forPool(poolId, revision) {
      const known = guards.get(poolId);
      if (known === undefined) {
        const guard = new ConnectionGuard(clock);
        guards.set(poolId, { revision, guard });
        return guard;
      }
      if (revision > known.revision) {
        known.revision = revision;
        known.guard.reset();
      }
      return known.guard;
    },
    health(poolId) {
      return guards.get(poolId)?.guard.health() ?? { circuit: 'closed', inFlight: 0, consecutiveFailures: 0, openedAt: null };
    },
  };
}
