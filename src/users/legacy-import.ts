/**
 * Import the rest (lazy migration): one user exported from the old database becomes a
 * local user, unless it already is one or an administrator deleted it.
 *
 * Race contract, the same as lazy migration's (lazy-migration-directory.ts): the unique
 * index on (pool, external_id) decides between this import and a first login (or a
 * recovery) of the same user on any instance; whoever loses reads the winner's row. So a
 * user is never duplicated and the login's user is the imported one, or the other way round.
 */
import type { StoredPassword } from '../domain/password.js';
import type { User } from '../domain/user.js';
import type { UsersRepository } from '../store/users.js';
import { profileInputFrom } from '../custom-db/profile.js';

export type LegacyImportOutcome =
  | { status: 'created'; user: User }
  /** already local (migrated by a login, imported before, or by a racing login just now), or deleted */
  | { status: 'skipped'; reason: 'exists' | 'tombstoned'; user?: User }
  | { status: 'failed'; message: string };

export const COLLISION_MESSAGE =
  'A local user already has this email, username or phone; resolve it (rename or delete one of them) and import again';

/**
 * Creates the local copy of a user of the old database with `source: "imported"`, its
 * profile and the password hash it had there (null: none, the user sets one by a reset).
 * `profile.id` is the user's id in the old database (the external id).
 */
export async function importLegacyUser(
  users: UsersRepository,
  poolId: string,
  profile: User,
  password: StoredPassword | null,
): Promise<LegacyImportOutcome> {
  const externalId = profile.id;
  // Deleted after migrating: an import must not bring it back, exactly as a login may not.
  if (await users.isTombstoned(poolId, externalId)) return { status: 'skipped', reason: 'tombstoned' };
  // Most users of a resumed or repeated import are already here: one read instead of a failed insert.
  const existing = await users.getByExternalId(poolId, externalId);
  if (existing) return { status: 'skipped', reason: 'exists', user: existing };

  const inserted = await users.insert(poolId, {
    profile: profileInputFrom(profile),
    password,
    source: 'imported',
    externalId,
    signedUp: profile.signedUp ?? profile.createdAt,
  });
  if (inserted.ok) return { status: 'created', user: inserted.user };
  // Lost the race to a first login of the same user (or another import): use the winner's row.
  const winner = await users.getByExternalId(poolId, externalId);
  if (winner) return { status: 'skipped', reason: 'exists', user: winner };
  return { status: 'failed', message: COLLISION_MESSAGE };
}
