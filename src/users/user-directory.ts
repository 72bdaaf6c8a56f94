/**
 * What the API needs from "the users of a pool", whoever keeps them. Three faces
 * implement it: the local store, the custom user store (every call runs a script) and
 * lazy migration (local first, scripts for users not migrated yet). Every expected
 * outcome is a Result; only bugs throw.
 */
import type { Result } from '../domain/result.js';
import type { CustomDbFailureCode, ErrorCode } from '../domain/error-codes.js';
import type { Page } from '../domain/page.js';
import type { AccountQuery, NewUserInput, RequestInfo, User, UserChanges, UserQuery } from '../domain/user.js';


/** Every face may run scripts, so every operation can fail the way a script call can. */
type Fails<C extends ErrorCode = never> = C | CustomDbFailureCode;

export interface UserDirectory {
  list(page: number, limit: number): Promise<Result<Page<User>, Fails>>;
  search(keyword: string, page: number, limit: number): Promise<Result<Page<User>, Fails>>;
  /** null when there is no such user */
  find(query: UserQuery): Promise<Result<User | null, Fails>>;
  create(input: NewUserInput, request: RequestInfo | null): Promise<Result<User, Fails<'USER_EXISTS'>>>;
  update(id: string, changes: UserChanges): Promise<Result<User, Fails<'USER_EXISTS' | 'USER_NOT_FOUND'>>>;
  delete(id: string): Promise<Result<void, Fails<'USER_NOT_FOUND'>>>;
  verifyPassword(id: string, password: string): Promise<Result<boolean, Fails<'USER_NOT_FOUND'>>>;
  /** An end user's sign-up: like create, but the caller is the user, not an admin. */
  register(input: NewUserInput & { password: string }, request: RequestInfo): Promise<Result<User, Fails<'USER_EXISTS'>>>;
  /**
   * Finds the user whose account is being recovered (password reset). Like `find`, except
   * that a lazy-migration user still only in the old database is migrated now, profile
   * only and without a password (exactly once, as a first login migrates), so the reset
   * has a local row to set the password on.
   */
  findForRecovery(query: AccountQuery): Promise<Result<User | null, Fails<'USER_EXISTS'>>>;
  login(
    query: AccountQuery,
    password: string,
    request: RequestInfo,
  ): Promise<Result<User, Fails<'WRONG_USERNAME_OR_PASSWORD' | 'ACCOUNT_BLOCKED' | 'USER_EXISTS'>>>;
}
