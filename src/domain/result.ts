/**
 * Expected outcomes cross module boundaries as values, not throws: a caller has to
 * look at `ok` before it can touch the value, so a "user not found" can never be
 * mistaken for a crash, and the HTTP layer maps every code in one table.
 *
 * `C` names the failures an operation can have, so a signature says what to expect
 * (`Result<User, 'USER_NOT_FOUND'>`) and a caller that handles codes is checked.
 */
import type { ErrorCode } from './error-codes.js';

export interface Failure<C extends ErrorCode = ErrorCode> {
  code: C;
  /** Safe to show to the caller: no secrets, SQL or stack traces. */
  message: string;
  /** For failures that pass with time (throttling, an unavailable dependency): when to retry. */
  retryAfterSeconds?: number;
}

export type Result<T, C extends ErrorCode = ErrorCode> = { ok: true; value: T } | { ok: false; error: Failure<C> };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <C extends ErrorCode>(
  code: C,
  message: string,
  retryAfterSeconds?: number,
): { ok: false; error: Failure<C> } => ({
  ok: false,
  error: retryAfterSeconds === undefined ? { code, message } : { code, message, retryAfterSeconds },
});
