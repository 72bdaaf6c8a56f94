/**
 * Gatehouse's metrics: one prom-client Registry per server (never the global default, so
 * two servers in one process, as in tests, never mix their counts), typed recording
 * functions the rest of the server calls, and the console's per-minute pool stats fed by
 * the same calls. Everything that is counted here is counted once, in this module.
 *
 * Label sets are closed (labels.ts) apart from pool ids, which grow only with the pools an
 * administrator creates; no user id, email or raw path ever becomes a label.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RuntimeStopReason, ScriptRuntimePoolEvents } from '../script-runtime/index.js';
import {
  CIRCUIT_STATES,
  LATENCY_BUCKETS_MS,
  type CircuitState,
  type LoginOutcome,
  type LoginSource,
  type ScriptCallOutcome,
} from './labels.js';
import { poolStats, type PoolStats } from './pool-stats.js';

/** A circuit breaker's state per pool, as the breaker reports it on every scrape. */
export interface CircuitReport {
  poolId: string;
  state: CircuitState;
}

export interface Metrics {
  /** The Prometheus text of every metric (`GET /metrics`). */
  text(): Promise<string>;
  readonly contentType: string;
  /** One script call of a pool's connection and how long it took. */
  scriptCall(poolId: string, script: string, outcome: ScriptCallOutcome, durationMs: number): void;
  /** One login attempt, whoever asked (API or hosted page). */
  login(poolId: string, outcome: LoginOutcome, source: LoginSource): void;
  /** Users copied into the own store by lazy migration (the one insert that won). */
  usersMigrated(poolId: string, count: number): void;
  /** Users written by an import job; call once per committed batch with its size. */
  usersImported(poolId: string, count: number): void;
  /** One HTTP request: `route` is the matched route's pattern (never the raw path). */
  httpRequest(method: string, route: string, status: number, durationMs: number): void;
  /** The script runtime pool's hooks (ScriptRuntimePoolOptions.events). */
  readonly runtimeEvents: ScriptRuntimePoolEvents;
  /** Where the runtimes-alive gauge reads its value on each scrape. */
  watchRuntimes(alive: () => number): void;
  /** Where the circuit-state gauge reads every pool's breaker on each scrape. */
  watchCircuits(report: () => Iterable<CircuitReport>): void;
  /** The console's per-minute series (GET /api/v1/pools/:poolId/stats). */
  readonly pools: Pick<PoolStats, 'series'>;
}

export interface MetricsOptions {
  /** the clock of the per-minute series (tests pass a fake one); Date.now by default */
  now?: () => number;
  /** Node's process metrics (CPU, memory, event loop, GC); on by default */
  processMetrics?: boolean;
}

const SECONDS_BUCKETS = LATENCY_BUCKETS_MS.map((ms) => ms / 1000);
/** Route label of a request that matched no route (404s): one value however many paths are tried. */
export const UNMATCHED_ROUTE = '(unmatched)';

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const stats = poolStats(options.now ?? Date.now);

  const scriptCalls = new Counter({
    name: 'gatehouse_script_calls_total',
    help: 'Custom database script calls by pool, script and outcome',
    labelNames: ['pool', 'script', 'outcome'] as const,
    registers,
  });
  const scriptDuration = new Histogram({
    name: 'gatehouse_script_call_duration_seconds',
    help: 'Custom database script call latency by pool and script',
    labelNames: ['pool', 'script'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  let runtimesAlive: () => number = () => 0;
  new Gauge({
    name: 'gatehouse_script_runtimes_alive',
    help: 'Script runtime processes bound to a connection and taking calls',
    registers,
    collect() {
      this.set(runtimesAlive());
    },
  });
  const runtimeRestarts = new Counter({
    name: 'gatehouse_script_runtime_restarts_total',
    help: "Script runtimes stopped, by reason; the connection's next call starts a fresh one",
    labelNames: ['reason'] as const,
    registers,
  });
  let circuits: () => Iterable<CircuitReport> = () => [];
  new Gauge({
    name: 'gatehouse_custom_db_circuit_state',
    help: "1 for the state each pool's circuit breaker is in, 0 for the others",
    labelNames: ['pool', 'state'] as const,
    registers,
    collect() {
      // Pools whose breaker is gone (connection deleted) disappear instead of freezing.
      this.reset();
      for (const { poolId, state } of circuits()) {
        for (const candidate of CIRCUIT_STATES) this.set({ pool: poolId, state: candidate }, candidate === state ? 1 : 0);
      }
    },
  });
  const logins = new Counter({
    name: 'gatehouse_logins_total',
    help: "Logins by pool, outcome and the signed-in user's source (none when the login failed)",
    labelNames: ['pool', 'outcome', 'source'] as const,
    registers,
  });
  const migrated = new Counter({
    name: 'gatehouse_users_migrated_total',
    help: 'Users copied into the own store by lazy migration',
    labelNames: ['pool'] as const,
    registers,
  });
  const imported = new Counter({
    name: 'gatehouse_users_imported_total',
    help: 'Users written by import jobs',
    labelNames: ['pool'] as const,
    registers,
  });
  const httpRequests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });

  return {
    text: () => registry.metrics(),
    contentType: registry.contentType,
    scriptCall(poolId, script, outcome, durationMs) {
      scriptCalls.inc({ pool: poolId, script, outcome });
      // A default script or an open circuit answers without running anything: no latency to speak of.
      if (outcome === 'not_implemented' || outcome === 'unavailable') return;
      scriptDuration.observe({ pool: poolId, script }, durationMs / 1000);
      stats.scriptCall(poolId, durationMs);
    },
    login(poolId, outcome, source) {
      logins.inc({ pool: poolId, outcome, source });
      stats.login(poolId, outcome);
    },
    usersMigrated(poolId, count) {
      migrated.inc({ pool: poolId }, count);
      stats.migrated(poolId, count);
    },
    usersImported(poolId, count) {
      imported.inc({ pool: poolId }, count);
      stats.imported(poolId, count);
    },
    httpRequest(method, route, status, durationMs) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, durationMs / 1000);
    },
    runtimeEvents: {
      runtimeStopped: (reason: RuntimeStopReason) => runtimeRestarts.inc({ reason }),
    },
    watchRuntimes(alive) {
      runtimesAlive = alive;
    },
    watchCircuits(report) {
      circuits = report;
    },
    pools: stats,
  };
}
