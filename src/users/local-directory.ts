/** The users of a pool kept in the server's own store. */
import { fail, ok, type Result } from '../domain/result.js';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from '../passwords/passwords.js';
import type { UsersRepository } from '../store/users.js';
import type { User } from '../domain/user.js';
import type { NewUserInput, RequestInfo } from '../domain/user.js';
import type { UserDirectory } from './user-directory.js';

export const USER_EXISTS_MESSAGE = 'A user with this email, username or phone already exists';
export const WRONG_CREDENTIALS_MESSAGE = 'Wrong username or password';
export const BLOCKED_MESSAGE = 'This account is blocked';
export const userNotFound = (id: string) => fail('USER_NOT_FOUND', `No user with id ${id} in this pool`);

function splitPassword<T extends { password?: string }>(input: T): [Omit<T, 'password'>, string | undefined] {
  const { password, ...profile } = input;
  return [profile, password];
}

export function localDirectory(poolId: string, users: UsersRepository): UserDirectory {
  const create = async (input: NewUserInput): Promise<Result<User, 'USER_EXISTS'>> => {
    const [profile, password] = splitPassword(input);
    const inserted = await users.insert(poolId, {
      profile,
      password: password === undefined ? null : await hashPassword(password),
      source: 'local',
    });
    return inserted.ok ? ok(inserted.user) : fail('USER_EXISTS', USER_EXISTS_MESSAGE);
  };

  return {
    list: async (page, limit) => ok(await users.list(poolId, page, limit)),
    search: async (keyword, page, limit) => ok(await users.search(poolId, keyword, page, limit)),
    find: async (query) => ok((await users.get(poolId, query)) ?? null),
    findForRecovery: async (query) => ok((await users.get(poolId, query)) ?? null),
    create: (input) => create(input),
    register: (input) => create(input),
    async update(id, changes) {
      const [profile, password] = splitPassword(changes);
      const updated = await users.update(poolId, id, {
        profile,
        ...(password === undefined ? {} : { password: await hashPassword(password) }),
      });
      if (updated.ok) return ok(updated.user);
      return updated.reason === 'exists' ? fail('USER_EXISTS', USER_EXISTS_MESSAGE) : userNotFound(id);
    },
    async delete(id) {
      return (await users.delete(poolId, id)) ? ok(undefined) : userNotFound(id);
    },
    async verifyPassword(id, password) {
      const found = await users.findCredentials(poolId, { id });
      if (!found) return userNotFound(id);
      if (!found.password) return ok(await verifyAgainstDecoy(password));
      return ok(await verifyPassword(found.password, password));
    },
    login: async (query, password, request) =>
      loginLocally(poolId, users, await users.findCredentials(poolId, query), password, request),
  };
}

/**
 * A local login once the account is looked up (`found` undefined: no such user), so a
 * caller that already looked it up does not read it twice.
 */
export async function loginLocally(
  poolId: string,
  users: UsersRepository,
  found: Awaited<ReturnType<UsersRepository['findCredentials']>>,
  password: string,
  request: RequestInfo,
): Promise<Result<User, 'WRONG_USERNAME_OR_PASSWORD' | 'ACCOUNT_BLOCKED'>> {
  if (!found?.password) {
    await verifyAgainstDecoy(password);
    return fail('WRONG_USERNAME_OR_PASSWORD', WRONG_CREDENTIALS_MESSAGE);
  }
  if (!(await verifyPassword(found.password, password))) {
    return fail('WRONG_USERNAME_OR_PASSWORD', WRONG_CREDENTIALS_MESSAGE);
  }
  // Blocked is told only to someone who knows the password, so it leaks nothing.
  if (found.user.blocked) return fail('ACCOUNT_BLOCKED', BLOCKED_MESSAGE);
  // A hash brought from another system (or ours with old parameters) is replaced now,
  // while the plain password is at hand: the old hash is gone from the store afterwards.
  if (needsRehash(found.password)) {
    await users.replacePasswordIfUnchanged(poolId, found.user.id, found.password, await hashPassword(password));
  }
  const user = await users.recordLogin(poolId, found.user.id, request.ip);
  return user ? ok(user) : fail('WRONG_USERNAME_OR_PASSWORD', WRONG_CREDENTIALS_MESSAGE);
}
