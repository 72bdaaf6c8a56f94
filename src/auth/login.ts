/**
 * The one login of a pool, whoever asks: `POST …/auth/login` and the hosted sign-in page
 * both call it. It throttles guessing (the attempt is counted before the password is
 * checked, under one key per account: see login-throttle.ts), asks the pool's user
 * directory (local, lazy migration or custom user store: the directory decides, nothing
 * about those modes is repeated here) and settles the attempt. Issuing tokens is the
 * caller's business: the API answers a JWT, the OpenID provider its own tokens.
 */
import { fail, type Result } from '../domain/result.js';
import type { Pool } from '../domain/pool.js';
import type { AccountQuery, RequestInfo, User } from '../domain/user.js';
import type { UsersRepository } from '../store/users.js';
import type { UserDirectory } from '../users/user-directory.js';
import { accountKeyFor, type LoginThrottle } from './login-throttle.js';

export type LoginUseCase = (
  pool: Pool,
  query: AccountQuery,
  password: string,
  request: RequestInfo,
) => Promise<Result<User, LoginFailureCode>>;

/** A login fails as the pool's directory says, or is throttled. */
export type LoginFailureCode = 'TOO_MANY_ATTEMPTS' | UserDirectoryLoginFailure;
type UserDirectoryLoginFailure = Awaited<ReturnType<UserDirectory['login']>> extends Result<User, infer C> ? C : never;

export function loginUseCase(deps: {
  directoryFor(pool: Pool): Promise<UserDirectory>;
  /** read only to key the throttle by account */
  users: Pick<UsersRepository, 'get'>;
  throttle: LoginThrottle;
}): LoginUseCase {
  return async (pool, query, password, request) => {
    const accountKey = await accountKeyFor(deps.users, pool.id, query);
    const verdict = await deps.throttle.begin(pool.id, accountKey, request.ip);
    if (!verdict.allowed) {
      return fail('TOO_MANY_ATTEMPTS', 'Too many failed logins; try again later', verdict.retryAfterSeconds);
    }
    const directory = await deps.directoryFor(pool);
    const result = await directory.login(query, password, request);
    if (result.ok) await deps.throttle.succeeded(verdict.attempt);
    return result;
  };
}
