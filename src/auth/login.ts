/**
 * The one login of a pool, whoever asks: `POST …/auth/login` and the hosted sign-in page
 * both call it. It throttles guessing, asks the pool's user directory (local, lazy
 * migration or custom user store: the directory decides, nothing about those modes is
 * repeated here) and counts failures. Issuing tokens is the caller's business: the API
 * answers a JWT, the OpenID provider its own tokens.
 */
import { fail, type Result } from '../domain/result.js';
import type { Pool } from '../domain/pool.js';
import type { AccountQuery, RequestInfo, User } from '../domain/user.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { LoginThrottle } from './login-throttle.js';

export type LoginUseCase = (
  pool: Pool,
  query: AccountQuery,
  password: string,
  request: RequestInfo,
) => Promise<Result<User>>;

export function loginUseCase(deps: {
  directoryFor(pool: Pool): Promise<UserDirectory>;
  throttle: LoginThrottle;
}): LoginUseCase {
  return async (pool, query, password, request) => {
    const verdict = await deps.throttle.check(pool.id, query, request.ip);
    if (!verdict.allowed) {
      return fail('TOO_MANY_ATTEMPTS', 'Too many failed logins; try again later', verdict.retryAfterSeconds);
    }
    const directory = await deps.directoryFor(pool);
    const result = await directory.login(query, password, request);
    if (result.ok) {
      if (verdict.hasFailures) await deps.throttle.recordSuccess(pool.id, query);
    } else if (result.error.code === 'WRONG_USERNAME_OR_PASSWORD') {
      await deps.throttle.recordFailure(pool.id, query, request.ip);
    }
    return result;
  };
}
