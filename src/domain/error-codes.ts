/**
 * Every error code the API answers with, and its HTTP status: one place, exhaustive,
 * so adding a code without a status fails type-checking.
 */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  /** a password-reset or verification token that is unknown, used or expired */
  INVALID_TOKEN: 400,
  UNAUTHORIZED: 401,
  WRONG_USERNAME_OR_PASSWORD: 401,
  ACCOUNT_BLOCKED: 403,
  /** an admin key used outside the pool it is limited to */
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  POOL_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  APPLICATION_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  USER_EXISTS: 409,
  /** an import-the-rest job already runs for the pool (on any instance) */
  JOB_RUNNING: 409,
  /** a save whose If-Match is not the connection's current ETag */
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_ATTEMPTS: 429,
  INTERNAL_ERROR: 500,
  SCRIPT_NOT_IMPLEMENTED: 501,
  CUSTOM_DB_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
  /** the connection's circuit is open or it is at its concurrency cap (with Retry-After) */
  CUSTOM_DB_UNAVAILABLE: 503,
  CUSTOM_DB_TIMEOUT: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * What a call to a pool's custom database scripts can fail with: a typed error keeps its
 * meaning, anything else is a script failure (not implemented, failed, timed out).
 */
export type CustomDbFailureCode =
  | 'WRONG_USERNAME_OR_PASSWORD'
  | 'USER_NOT_FOUND'
  | 'USER_EXISTS'
  | 'ACCOUNT_BLOCKED'
  | 'SCRIPT_NOT_IMPLEMENTED'
  | 'CUSTOM_DB_ERROR'
  | 'CUSTOM_DB_TIMEOUT'
  | 'CUSTOM_DB_UNAVAILABLE';
