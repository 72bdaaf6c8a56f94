/**
 * Slows down password guessing: at most `maxFailuresPerAccount` attempts per account,
 * and `maxFailuresPerAddress` per client address, may reach the password check in a
 * window without a success; further ones are refused with 429 until the window ends.
 *
 * Count first, then check: each attempt is counted in the store (one atomic statement
 * for both counters) before the password is looked at, and refused when a count is over
 * its budget, so any number of concurrent guesses, on any number of instances, let at
 * most the budget through. What happens to the count afterwards:
 * - refused: given back at once, so an address that is refused cannot use up the
 *   budgets of accounts it keeps naming (nor an account's refusals an address's);
 * - wrong password, and every other failure (blocked account, script error): kept, so a
 *   login script that signals a wrong password by throwing is throttled all the same;
 * - success: the account's count is cleared (a user who mistyped is not slowed down)
 *   and the address gets its attempt back.
 * Store statements per login here: `accountKeyFor`'s read and the count (one upsert
 * for both counters) always; then a success settles the account and the address, a
 * refusal gives back to both, a failure adds nothing. A settle is one statement on
 * SQLite, one single-row update per key on PostgreSQL (see `settle`).
 *
 * Counts live in the store, so every instance sees the same numbers.
 */
import type { GiveBack, LoginAttemptsRepository } from '../store/login-attempts.js';
import type { UsersRepository } from '../store/users.js';
import { normaliseEmail, type AccountQuery } from '../domain/user.js';
import type { ThrottleSettings } from '../config/config.js';

/** An attempt let through to the password check; hand it back to `succeeded` when the password was right. */
export interface AdmittedAttempt {
  poolId: string;
  accountKey: string;
  address: GiveBack | undefined;
}

export type ThrottleVerdict = { allowed: true; attempt: AdmittedAttempt } | { allowed: false; retryAfterSeconds: number };

export interface LoginThrottle {
  /** Counts the attempt (before any password check) and says whether it may go on. */
  begin(poolId: string, accountKey: string, ip: string | null): Promise<ThrottleVerdict>;
  /** The password was right: clears the account's count and gives the address its attempt back. */
  succeeded(attempt: AdmittedAttempt): Promise<void>;
}

/**
 * The key an account's budget is counted under: the local user's id when the identifier
 * names a local user (so email, username and phone of one user share one budget),
 * otherwise the normalised identifier. One indexed read of the local users table.
 *
 * Limit: a user who lives only in the customer's database (custom user store, or lazy
 * migration before the first successful login) cannot be resolved without running a
 * script, so each of its identifiers gets its own budget until it is migrated; the
 * per-address budget still applies across them.
 */
export async function accountKeyFor(users: Pick<UsersRepository, 'get'>, poolId: string, query: AccountQuery): Promise<string> {
  const local = await users.get(poolId, query);
  if (local) return `user:${local.id}`;
  if ('email' in query) return `email:${normaliseEmail(query.email)}`;
  // Stryker disable next-line MethodExpression: upper or lower, case variants share a budget; the two differ only for letters such as ß
  if ('username' in query) return `username:${query.username.toLowerCase()}`;
  return `phone:${query.phone}`;
}

export function loginThrottle(
  attempts: LoginAttemptsRepository,
  settings: ThrottleSettings,
  now: () => number = Date.now,
): LoginThrottle {
  const windowMs = settings.windowSeconds * 1000;

  return {
    async begin(poolId, accountKey, ip) {
      const addressKey = ip === null ? undefined : `ip:${ip}`;
      const at = now();
      const windows = await attempts.count(poolId, addressKey === undefined ? [accountKey] : [accountKey, addressKey], at, windowMs);
      let retryAfterMs = 0;
      for (const window of windows) {
        const budget = window.key === accountKey ? settings.maxFailuresPerAccount : settings.maxFailuresPerAddress;
        if (window.attempts > budget) retryAfterMs = Math.max(retryAfterMs, window.windowStart + windowMs - at);
      }
      if (retryAfterMs > 0) {
        // Stryker disable next-line ArrayDeclaration: a reset of a key nobody counts under changes nothing
        await attempts.settle(poolId, { reset: [], giveBack: windows.map(({ key, windowStart }) => ({ key, windowStart })) });
        return { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
      }
      const address = windows.find((window) => window.key === addressKey);
      return {
        allowed: true,
        attempt: { poolId, accountKey, address: address && { key: address.key, windowStart: address.windowStart } },
      };
    },
    succeeded: (attempt) =>
      attempts.settle(attempt.poolId, { reset: [attempt.accountKey], giveBack: attempt.address ? [attempt.address] : [] }),
  };
}
