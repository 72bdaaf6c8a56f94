/**
 * The closed label sets of Gatehouse's metrics. Every label value a metric can carry is
 * listed here (or is a pool id, bounded by the pools an administrator creates), so a
 * scrape never grows with users, paths or emails.
 */

/** How a login ended: success, or why not (the login's failure codes, one name each). */
export const LOGIN_OUTCOMES = [
  'success',
  'wrong_password',
  'blocked',
  'throttled',
  'conflict',
  'not_implemented',
  'error',
  'timeout',
  'unavailable',
] as const;
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

/** Where a signed-in user lives (the user's `source`); `none` for a login that failed. */
export const LOGIN_SOURCES = ['local', 'migrated', 'custom-db', 'imported', 'none'] as const;
export type LoginSource = (typeof LOGIN_SOURCES)[number];

/**
 * How a script call ended: `ok`, `typed_error` (an error the script threw on purpose, such
 * as a wrong password), `error` (any other throw), `crash` (the runtime process died), or
 * the contract's failure kind.
 */
export const SCRIPT_CALL_OUTCOMES = [
  'ok',
  'typed_error',
  'error',
  'crash',
  'timeout',
  'oom',
  'syntax',
  'denied',
  'not_implemented',
  'invalid_result',
  'unavailable',
] as const;
export type ScriptCallOutcome = (typeof SCRIPT_CALL_OUTCOMES)[number];

/** The circuit breaker's states (API.md, `GET …/custom-db/health`). */
export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/**
 * Upper bounds (ms) of the script latency buckets, shared by the Prometheus histogram (in
 * seconds) and the console's per-minute histograms, so both answer the same percentiles.
 */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;
