/**
 * Logins counted for the server's metrics: the login use case wrapped, so the API's login
 * and the hosted sign-in page are both counted, once per attempt, by outcome and by where
 * the signed-in user lives.
 */
import type { Metrics } from '../metrics/metrics.js';
import type { LoginOutcome } from '../metrics/labels.js';
import type { LoginFailureCode, LoginUseCase } from './login.js';

/** Every way a login can fail, named for the metrics (exhaustive: a new failure code must be named here). */
const FAILURE_OUTCOMES = {
  WRONG_USERNAME_OR_PASSWORD: 'wrong_password',
  // An unknown account answers as a wrong password does; so it is counted.
  USER_NOT_FOUND: 'wrong_password',
  ACCOUNT_BLOCKED: 'blocked',
  TOO_MANY_ATTEMPTS: 'throttled',
  USER_EXISTS: 'conflict',
  SCRIPT_NOT_IMPLEMENTED: 'not_implemented',
  CUSTOM_DB_ERROR: 'error',
  CUSTOM_DB_TIMEOUT: 'timeout',
  CUSTOM_DB_UNAVAILABLE: 'unavailable',
} as const satisfies Record<LoginFailureCode, LoginOutcome>;

export function recordingLogins(login: LoginUseCase, metrics: Pick<Metrics, 'login'>): LoginUseCase {
  return async (pool, query, password, request) => {
    const result = await login(pool, query, password, request);
    if (result.ok) metrics.login(pool.id, 'success', result.value.source);
    else metrics.login(pool.id, FAILURE_OUTCOMES[result.error.code], 'none');
    return result;
  };
}
