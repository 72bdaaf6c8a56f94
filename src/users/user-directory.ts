/**
 * What the API needs from "the users of a pool", whoever keeps them. Three faces
 * implement it: the local store, the custom user store (every call runs a script) and
 * lazy migration (local first, scripts for users not migrated yet). Every expected
 * outcome is a Result; only bugs throw.
 */
import type { Result } from '../domain/result.js';
import type { Page } from '../domain/page.js';
import type { AccountQuery, NewUserInput, RequestInfo, User, UserChanges, UserQuery } from '../domain/user.js';


export interface UserDirectory {
  list(page: number, limit: number): Promise<Result<Page<User>>>;
  search(keyword: string, page: number, limit: number): Promise<Result<Page<User>>>;
  /** null when there is no such user */
  find(query: UserQuery): Promise<Result<User | null>>;
  create(input: NewUserInput, request: RequestInfo | null): Promise<Result<User>>;
  update(id: string, changes: UserChanges): Promise<Result<User>>;
  delete(id: string): Promise<Result<void>>;
  verifyPassword(id: string, password: string): Promise<Result<boolean>>;
  /** An end user's sign-up: like create, but the caller is the user, not an admin. */
  register(input: NewUserInput & { password: string }, request: RequestInfo): Promise<Result<User>>;
  login(query: AccountQuery, password: string, request: RequestInfo): Promise<Result<User>>;
}
