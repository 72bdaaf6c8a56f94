/**
 * Slows down password guessing: after too many failed logins for one account, or from
 * one client address, within a window, further attempts are refused with 429 until the
 * window ends. Counts live in the store, so every instance sees the same numbers; a
 * successful login clears its account's count and costs one read.
 */
import type { LoginFailuresRepository } from '../store/login-failures.js';
import { normaliseEmail, type AccountQuery } from '../domain/user.js';

export interface ThrottleSettings {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = { maxFailuresPerAccount: 10, maxFailuresPerAddress: 100, windowSeconds: 900 };

/** `hasFailures`: the account has a count to clear when this login succeeds (most have none). */
export type ThrottleVerdict = { allowed: true; hasFailures: boolean } | { allowed: false; retryAfterSeconds: number };

export interface LoginThrottle {
  check(poolId: string, query: AccountQuery, ip: string | null): Promise<ThrottleVerdict>;
  recordFailure(poolId: string, query: AccountQuery, ip: string | null): Promise<void>;
  recordSuccess(poolId: string, query: AccountQuery): Promise<void>;
}

function accountKey(query: AccountQuery): string {
  if ('email' in query) return `account:email:${normaliseEmail(query.email)}`;
  if ('username' in query) return `account:username:${query.username.toLowerCase()}`;
  return `account:phone:${query.phone}`;
}

export function loginThrottle(
  failures: LoginFailuresRepository,
  settings: ThrottleSettings,
  now: () => number = Date.now,
): LoginThrottle {
  const windowMs = settings.windowSeconds * 1000;
  const keysOf = (query: AccountQuery, ip: string | null) => {
    const keys = [accountKey(query)];
    if (ip) keys.push(`ip:${ip}`);
    return keys;
  };

  return {
    async check(poolId, query, ip) {
      const windows = await failures.get(poolId, keysOf(query, ip));
      const at = now();
      let retryAfterMs = 0;
      for (const [key, window] of windows) {
        const limit = key.startsWith('ip:') ? settings.maxFailuresPerAddress : settings.maxFailuresPerAccount;
        const endsAt = window.windowStart + windowMs;
        if (window.failures >= limit && endsAt > at) retryAfterMs = Math.max(retryAfterMs, endsAt - at);
      }
      if (retryAfterMs > 0) return { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
      return { allowed: true, hasFailures: windows.has(accountKey(query)) };
    },
    recordFailure: (poolId, query, ip) => failures.record(poolId, keysOf(query, ip), now(), windowMs),
    recordSuccess: (poolId, query) => failures.clear(poolId, accountKey(query)),
  };
}
