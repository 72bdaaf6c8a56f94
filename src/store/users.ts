/**
 * Queries of the users table (local and migrated users). Maps rows to the API's user
 * object; the password hash leaves this module only through `findCredentials`.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { StoreSchema, UsersTable } from './schema.js';
import { isUniqueViolation } from './database.js';
import { prepareQuery } from './prepared-query.js';
import type { Page } from '../domain/page.js';
import type { StoredPassword } from '../domain/password.js';
import {

  COLUMN_PROFILE_FIELDS,
  STRING_PROFILE_FIELDS,
  blankUser,
  normaliseEmail,
  type ProfileInput,
  type User,
  type UserQuery,
  type UserSource,
} from '../domain/user.js';

export interface NewUserRow {
  profile: ProfileInput;
  password: StoredPassword | null;
  source: UserSource;
  externalId?: string | null;
  /** set when a migrated user brings its own history */
  signedUp?: string | null;
}

export type InsertOutcome = { ok: true; user: User } | { ok: false; reason: 'exists' };

export interface UsersRepository {
  insert(poolId: string, row: NewUserRow): Promise<InsertOutcome>;
  get(poolId: string, query: UserQuery): Promise<User | undefined>;
  getByExternalId(poolId: string, externalId: string): Promise<User | undefined>;
  findCredentials(poolId: string, query: UserQuery): Promise<{ user: User; password: StoredPassword | null } | undefined>;
  list(poolId: string, page: number, limit: number): Promise<Page<User>>;
  search(poolId: string, keyword: string, page: number, limit: number): Promise<Page<User>>;
  update(
    poolId: string,
    id: string,
    changes: { profile: ProfileInput; password?: StoredPassword },
  ): Promise<{ ok: true; user: User } | { ok: false; reason: 'exists' | 'not_found' }>;
  /**
   * Deletes a user. A migrated user leaves a tombstone in the same transaction, so a
   * crash can never leave the user deleted but migratable again.
   */
  delete(poolId: string, id: string): Promise<User | undefined>;
  isTombstoned(poolId: string, externalId: string): Promise<boolean>;
  /** Sets the password only while the user has none: a password set meanwhile (a reset) wins. */
  setPasswordIfUnset(poolId: string, id: string, password: StoredPassword): Promise<void>;
  /**
   * Replaces the password only while it is still `current` (a re-hash on login): a
   * password changed meanwhile (a reset, a concurrent login's re-hash) wins. True if replaced.
   */
  replacePasswordIfUnchanged(poolId: string, id: string, current: StoredPassword, next: StoredPassword): Promise<boolean>;
  recordLogin(poolId: string, id: string, ip: string | null): Promise<User | undefined>;
  countMigrated(poolId: string): Promise<{ count: number; lastCreatedAt: string | null }>;
  /** Users with `source: "imported"` (import the rest, bulk imports) and tombstones of deleted copies: the rest of migration progress. */
  countImportedAndDeleted(poolId: string): Promise<{ imported: number; deleted: number }>;
}

export function columnsFrom(profile: ProfileInput): Partial<UsersTable> {
  const columns: Partial<UsersTable> = {};
  if (profile.username !== undefined) {
    columns.username = profile.username;
    columns.username_key = profile.username === null ? null : profile.username.toLowerCase();
  }
  if (profile.email !== undefined) {
    columns.email = profile.email === null ? null : profile.email.trim();
    columns.email_key = profile.email === null ? null : normaliseEmail(profile.email);
  }
  if (profile.phone !== undefined) columns.phone = profile.phone;
  if (profile.nickname !== undefined) columns.nickname = profile.nickname;
  if (profile.name !== undefined) columns.name = profile.name;
  if (profile.emailVerified !== undefined) columns.email_verified = profile.emailVerified ? 1 : 0;
  if (profile.phoneVerified !== undefined) columns.phone_verified = profile.phoneVerified ? 1 : 0;
  if (profile.blocked !== undefined) columns.blocked = profile.blocked ? 1 : 0;
  return columns;
}

const COLUMN_FIELDS: ReadonlySet<string> = new Set(COLUMN_PROFILE_FIELDS);

/** Profile fields without a column of their own, kept as JSON. */
export function jsonProfileFrom(profile: ProfileInput, base: Record<string, unknown> = {}): string {
  const merged = new Map(Object.entries(base));
  for (const field of STRING_PROFILE_FIELDS) {
    if (COLUMN_FIELDS.has(field)) continue;
    const value = profile[field];
    if (value === undefined) continue;
    if (value === null) merged.delete(field);
    else merged.set(field, value);
  }
  return JSON.stringify(Object.fromEntries(merged));
}

function toUser(row: UsersTable): User {
  const user = blankUser(row.id, row.pool_id, row.source as UserSource);
  const extra = JSON.parse(row.profile) as Record<string, unknown>;
  for (const field of STRING_PROFILE_FIELDS) {
    const value = extra[field];
    if (typeof value === 'string') user[field] = value;
  }
  user.username = row.username;
  user.email = row.email;
  user.phone = row.phone;
  user.nickname = row.nickname;
  user.name = row.name;
  user.emailVerified = row.email_verified === 1;
  user.phoneVerified = row.phone_verified === 1;
  user.blocked = row.blocked === 1;
  user.loginsCount = Number(row.logins_count);
  user.lastLogin = row.last_login;
  user.lastIP = row.last_ip;
  user.signedUp = row.signed_up;
  user.createdAt = row.created_at;
  user.updatedAt = row.updated_at;
  user.externalId = row.external_id;
  return user;
}

/** The row of a new user, every column set. */
export function newUserRow(poolId: string, input: NewUserRow, now: string, importJobId: string | null = null): UsersTable {
  return {
    id: randomUUID(),
    pool_id: poolId,
    username: null,
    username_key: null,
    email: null,
    email_key: null,
    email_verified: 0,
    phone: null,
    phone_verified: 0,
    nickname: null,
    name: null,
    blocked: 0,
    logins_count: 0,
    last_login: null,
    last_ip: null,
    ...columnsFrom(input.profile),
    profile: jsonProfileFrom(input.profile),
    signed_up: input.signedUp ?? now,
    created_at: now,
    updated_at: now,
    password_hash: input.password?.hash ?? null,
    password_algorithm: input.password?.algorithm ?? null,
    external_id: input.externalId ?? null,
    source: input.source,
    import_job_id: importJobId,
  };
}

/** `%`, `_` and the escape character itself match literally in a LIKE pattern. */
export function likeContains(keyword: string): string {
  return `%${keyword.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function usersRepository(db: Kysely<StoreSchema>): UsersRepository {
  // The one-user lookups run on every login (the throttle's key, the local password check): prepared once per column.
  const oneBy = (column: 'id' | 'email_key' | 'username_key' | 'phone') =>
    prepareQuery(db, 2, (poolId: string, value: string) => db.selectFrom('users').selectAll().where('pool_id', '=', poolId).where(column, '=', value));
  const byId = oneBy('id');
  const byEmail = oneBy('email_key');
  const byUsername = oneBy('username_key');
  const byPhone = oneBy('phone');
  const rowsOf = (poolId: string, query: UserQuery): Promise<UsersTable[]> => {
    if ('id' in query) return byId(poolId, query.id);
    if ('email' in query) return byEmail(poolId, normaliseEmail(query.email));
    if ('username' in query) return byUsername(poolId, query.username.toLowerCase());
    return byPhone(poolId, query.phone);
  };
  const byQuery = async (poolId: string, query: UserQuery): Promise<UsersTable | undefined> => (await rowsOf(poolId, query))[0];

  const page = async (
    poolId: string,
    keyword: string | undefined,
    pageNumber: number,
    limit: number,
  ): Promise<Page<User>> => {
    let rows = db.selectFrom('users').where('pool_id', '=', poolId);
    if (keyword !== undefined && keyword !== '') {
      const pattern = likeContains(keyword);
      rows = rows.where((eb) =>
        eb.or(
          (['email_key', 'username_key', 'phone', 'nickname'] as const).map(
            (column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    const [list, count] = await Promise.all([
      rows
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .offset((pageNumber - 1) * limit)
        .execute(),
      rows.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { totalCount: Number(count.n), list: list.map(toUser) };
  };

  return {
    async insert(poolId, input) {
      const row = newUserRow(poolId, input, new Date().toISOString());
      try {
        await db.insertInto('users').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) return { ok: false, reason: 'exists' };
        throw error;
      }
      return { ok: true, user: toUser(row) };
    },
    async get(poolId, query) {
      const row = await byQuery(poolId, query);
      return row && toUser(row);
    },
    async getByExternalId(poolId, externalId) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('pool_id', '=', poolId)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row && toUser(row);
    },
    async findCredentials(poolId, query) {
      const row = await byQuery(poolId, query);
      if (!row) return undefined;
      const password =
        row.password_hash && row.password_algorithm
          ? { hash: row.password_hash, algorithm: row.password_algorithm }
          : null;
      return { user: toUser(row), password };
    },
    list: (poolId, pageNumber, limit) => page(poolId, undefined, pageNumber, limit),
    search: (poolId, keyword, pageNumber, limit) => page(poolId, keyword, pageNumber, limit),
    async update(poolId, id, { profile, password }) {
      try {
        return await db.transaction().execute(async (trx) => {
          const current = await trx
            .selectFrom('users')
            .select('profile')
            .where('pool_id', '=', poolId)
            .where('id', '=', id)
            .executeTakeFirst();
          if (!current) return { ok: false as const, reason: 'not_found' as const };
          const set: Partial<UsersTable> = {
            ...columnsFrom(profile),
            profile: jsonProfileFrom(profile, JSON.parse(current.profile) as Record<string, unknown>),
            updated_at: new Date().toISOString(),
          };
          if (password) {
            set.password_hash = password.hash;
            set.password_algorithm = password.algorithm;
          }
          const row = await trx
            .updateTable('users')
            .set(set)
            .where('pool_id', '=', poolId)
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          return { ok: true as const, user: toUser(row) };
        });
      } catch (error) {
        if (isUniqueViolation(error)) return { ok: false, reason: 'exists' };
        throw error;
      }
    },
    async delete(poolId, id) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .deleteFrom('users')
          .where('pool_id', '=', poolId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (row?.external_id) {
          await trx
            .insertInto('user_tombstones')
            .values({ pool_id: poolId, external_id: row.external_id, deleted_at: new Date().toISOString() })
            .onConflict((oc) => oc.columns(['pool_id', 'external_id']).doNothing())
            .execute();
        }
        return row && toUser(row);
      });
    },
    async isTombstoned(poolId, externalId) {
      const row = await db
        .selectFrom('user_tombstones')
        .select('external_id')
        .where('pool_id', '=', poolId)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row !== undefined;
    },
    async setPasswordIfUnset(poolId, id, password) {
      await db
        .updateTable('users')
        .set({ password_hash: password.hash, password_algorithm: password.algorithm, updated_at: new Date().toISOString() })
        .where('pool_id', '=', poolId)
        .where('id', '=', id)
        .where('password_hash', 'is', null)
        .execute();
    },
    async replacePasswordIfUnchanged(poolId, id, current, next) {
      const result = await db
        .updateTable('users')
        .set({ password_hash: next.hash, password_algorithm: next.algorithm, updated_at: new Date().toISOString() })
        .where('pool_id', '=', poolId)
        .where('id', '=', id)
        .where('password_hash', '=', current.hash)
        .where('password_algorithm', '=', current.algorithm)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async recordLogin(poolId, id, ip) {
      const now = new Date().toISOString();
      const row = await db
        .updateTable('users')
        .set((eb) => ({ logins_count: eb('logins_count', '+', 1), last_login: now, last_ip: ip }))
        .where('pool_id', '=', poolId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toUser(row);
    },
    async countMigrated(poolId) {
      const row = await db
        .selectFrom('users')
        .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.max('created_at').as('last')])
        .where('pool_id', '=', poolId)
        .where('source', '=', 'migrated')
        .executeTakeFirstOrThrow();
      return { count: Number(row.n), lastCreatedAt: row.last ?? null };
    },
    async countImportedAndDeleted(poolId) {
      const [imported, deleted] = await Promise.all([
        db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('pool_id', '=', poolId)
          .where('source', '=', 'imported')
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('user_tombstones')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('pool_id', '=', poolId)
          .executeTakeFirstOrThrow(),
      ]);
      return { imported: Number(imported.n), deleted: Number(deleted.n) };
    },
  };
}

