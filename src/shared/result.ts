/**
 * Expected outcomes cross module boundaries as values, not throws: a caller has to
 * look at `ok` before it can touch the value, so a "user not found" can never be
 * mistaken for a crash, and the HTTP layer maps every code in one table.
 */
import type { ErrorCode } from './error-codes.js';

export interface Failure {
  code: ErrorCode;
  /** Safe to show to the caller: no secrets, SQL or stack traces. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): { ok: false; error: Failure } => ({
  ok: false,
  error: { code, message },
});
