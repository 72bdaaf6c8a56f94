/**
 * LAZY_MIGRATION: users move from the customer's database into the own store on their
 * first successful login. Before that they are only in the old database; after it,
 * only the local copy is used and the scripts are never called for them again.
 *
 * Race contract: any number of concurrent first logins of one user, on any number of
 * instances, create exactly one local row. The unique index on (pool, external_id)
 * decides; every loser reads the winner's row. No in-memory lock is involved.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { CustomDbFailureCode } from '../domain/error-codes.js';
import { hashPassword } from '../passwords/passwords.js';
import { failureFor, type ScriptCaller } from '../custom-db/script-caller.js';
import { profileInputFrom, userFromProfile } from '../custom-db/profile.js';
import type { UsersRepository } from '../store/users.js';
import type { AccountQuery, User } from '../domain/user.js';
import type { NewUserInput, RequestInfo } from '../domain/user.js';
import type { UserDirectory } from './user-directory.js';
import type { Metrics } from '../metrics/metrics.js';
import { BLOCKED_MESSAGE, USER_EXISTS_MESSAGE, WRONG_CREDENTIALS_MESSAGE, localDirectory, loginLocally } from './local-directory.js';

export function lazyMigrationDirectory(
  poolId: string,
  users: UsersRepository,
  scripts: ScriptCaller,
  metrics?: Pick<Metrics, 'usersMigrated'>,
): UserDirectory {
  const local = localDirectory(poolId, users);

  /** Nobody may sign up with an email, username or phone that still lives in the old database. */
  async function stillInOldDatabase(input: NewUserInput): Promise<Result<boolean, CustomDbFailureCode>> {
    const queries: AccountQuery[] = [];
    if (input.email) queries.push({ email: input.email });
    if (input.username) queries.push({ username: input.username });
    if (input.phone) queries.push({ phone: input.phone });
    const outcomes = await Promise.all(queries.map((query) => scripts.call('getUser', [query])));
    for (const outcome of outcomes) {
      // "No such user" may be said by returning null or by throwing UserNotFoundError.
      if (!outcome.ok && !(outcome.error.kind === 'runtime' && outcome.error.name === 'UserNotFoundError')) {
        return failureFor('getUser', outcome.error);
      }
      if (outcome.ok && outcome.result !== null) return ok(true);
    }
    return ok(false);
  }

  async function createChecked(input: NewUserInput, request: RequestInfo | null): Promise<Result<User, CustomDbFailureCode>> {
    const taken = await stillInOldDatabase(input);
    if (!taken.ok) return taken;
    if (taken.value) return fail('USER_EXISTS', USER_EXISTS_MESSAGE);
    return local.create(input, request);
  }

  /**
   * Copies a user from the old database into the own store, exactly once: with the
   * password the login script just vouched for, or (account recovery) without one.
   */
  async function migrate(profile: User, password: string | null): Promise<Result<User, 'USER_EXISTS'>> {
    const externalId = profile.id;
    const hashed = password === null ? null : await hashPassword(password);
    const inserted = await users.insert(poolId, {
      profile: profileInputFrom(profile),
      password: hashed,
      source: 'migrated',
      externalId,
      signedUp: profile.signedUp ?? profile.createdAt,
    });
    if (inserted.ok) {
      metrics?.usersMigrated(poolId, 1);
      return ok(inserted.user);
    }
    // Lost a race to a concurrent first login (or recovery) of the same user: use the winner's row.
    const existing = await users.getByExternalId(poolId, externalId);
    if (existing) {
      // Migrated earlier without a password (a recovery began) and the login script has
      // now vouched for this one: it becomes the local password, unless a reset set one.
      if (hashed) await users.setPasswordIfUnset(poolId, existing.id, hashed);
      return ok(existing);
    }
    return fail('USER_EXISTS', 'This account collides with a local user of the same email, username or phone; an administrator must resolve it');
  }

  /** The old database's profile for a query, or null ("no such user" said by null or by UserNotFoundError). */
  async function legacyProfile(query: AccountQuery): Promise<Result<User | null, CustomDbFailureCode>> {
    const outcome = await scripts.call('getUser', [query]);
    if (!outcome.ok) {
      if (outcome.error.kind === 'runtime' && outcome.error.name === 'UserNotFoundError') return ok(null);
      return failureFor('getUser', outcome.error);
    }
    return ok(outcome.result === null ? null : userFromProfile(outcome.result, poolId, 'migrated'));
  }

  return {
    ...local,
    create: createChecked,
    register: createChecked,
    async findForRecovery(query) {
      const local = await users.get(poolId, query);
      if (local) return ok(local);
      const legacy = await legacyProfile(query);
      if (!legacy.ok || legacy.value === null) return legacy;
      const profile = legacy.value;
      // Deleted after migrating, or not allowed to sign in: nothing to recover, nothing to migrate.
      if (profile.blocked || (await users.isTombstoned(poolId, profile.id))) return ok(null);
      return migrate(profile, null);
    },
    async login(query, password, request) {
      const found = await users.findCredentials(poolId, query);
      // A user migrated without a password (a recovery that has not been finished), or
      // imported from the old database without one (its hash was missing or of a kind the
      // export left out), still signs in with the old database's password, which then
      // becomes the local one.
      const copiedWithoutPassword =
        found !== undefined &&
        found.password === null &&
        (found.user.source === 'migrated' || (found.user.source === 'imported' && found.user.externalId !== null));
      if (found && !copiedWithoutPassword) return loginLocally(poolId, users, found, password, request);

      const outcome = await scripts.call('login', [query, password], { request });
      if (!outcome.ok) return failureFor('login', outcome.error);
      // Stryker disable next-line StringLiteral: migrate() sets the stored user's source itself; this copy's source is never read
      const profile = userFromProfile(outcome.result, poolId, 'migrated');
      // Deleted by an administrator after migrating: it must not come back by logging in.
      if (await users.isTombstoned(poolId, profile.id)) return fail('WRONG_USERNAME_OR_PASSWORD', WRONG_CREDENTIALS_MESSAGE);
      if (profile.blocked) return fail('ACCOUNT_BLOCKED', BLOCKED_MESSAGE);

      const migrated = await migrate(profile, password);
      if (!migrated.ok) return migrated;
      const user = await users.recordLogin(poolId, migrated.value.id, request.ip);
      return user ? ok(user) : fail('WRONG_USERNAME_OR_PASSWORD', WRONG_CREDENTIALS_MESSAGE);
    },
  };
}
