/**
 * CUSTOM_USER_STORE: the users of the pool live only in the customer's database.
 * Every operation runs the matching script; nothing about users is stored here.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { CustomDbFailureCode } from '../domain/error-codes.js';
import { failureFor, type ScriptCaller } from '../custom-db/script-caller.js';
import { userFromProfile } from '../custom-db/profile.js';
import type { ScriptName } from '../custom-db/contract/script-contract.js';
import type { Page } from '../domain/page.js';
import type { User, UserQuery } from '../domain/user.js';
import type { RequestInfo } from '../domain/user.js';
import type { UserDirectory } from './user-directory.js';
import { BLOCKED_MESSAGE } from './local-directory.js';

export function customStoreDirectory(poolId: string, scripts: ScriptCaller): UserDirectory {
  const toUser = (profile: unknown) => userFromProfile(profile, poolId, 'custom-db');
  const toPage = (value: unknown): Page<User> => {
    const page = value as { totalCount: number; list: unknown[] };
    return { totalCount: page.totalCount, list: page.list.map(toUser) };
  };

  async function run<T>(
    script: ScriptName,
    args: unknown[],
    map: (value: unknown) => T,
    options: Parameters<ScriptCaller['call']>[2] = {},
  ): Promise<Result<T, CustomDbFailureCode>> {
    const outcome = await scripts.call(script, args, options);
    return outcome.ok ? ok(map(outcome.result)) : failureFor(script, outcome.error);
  }

  const create = (input: Record<string, unknown>, request: RequestInfo | null) => run('createUser', [input], toUser, { request });

  const find = (query: UserQuery) => run('getUser', [query], (value) => (value === null ? null : toUser(value)));

  return {
    list: (page, limit) => run('listUsers', [page, limit], toPage, { paging: { page, limit } }),
    search: (keyword, page, limit) => run('searchUser', [keyword], toPage, { paging: { page, limit } }),
    find,
    // The user store is the customer's database: there is nothing to migrate.
    findForRecovery: find,
    create: (input, request) => create(input, request),
    register: (input, request) => create(input, request),
    update: (id, changes) => run('updateUser', [id, changes], toUser),
    delete: (id) => run('deleteUser', [id], () => undefined),
    verifyPassword: (id, password) => run('validatePassword', [id, password], (value) => value === true),
    async login(query, password, request) {
      const result = await run('login', [query, password], toUser, { request });
      // A script that answers a blocked profile instead of throwing AccountBlockedError
      // still must not let the user in.
      if (result.ok && result.value.blocked) return fail('ACCOUNT_BLOCKED', BLOCKED_MESSAGE);
      return result;
    },
  };
}
