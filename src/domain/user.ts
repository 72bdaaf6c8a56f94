/**
 * The user object of the API (GenAuth's profile, camelCase). One list of fields, used
 * by the request/response schemas, the local store's mapping and the custom-store
 * mapping, so a field is added in one place.
 */

/** Profile fields an administrator or the user may set. */
export const STRING_PROFILE_FIELDS = [
  'username',
  'email',
  'phone',
  'nickname',
  'photo',
  'name',
  'givenName',
  'familyName',
  'middleName',
  'preferredUsername',
  'profile',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'address',
  'formatted',
  'streetAddress',
  'locality',
  'region',
  'postalCode',
  'city',
  'province',
  'country',
  'company',
] as const;

export const BOOLEAN_PROFILE_FIELDS = ['emailVerified', 'phoneVerified', 'blocked'] as const;

/** Fields kept in their own columns of the local store (searched or unique); the rest go in a JSON column. */
export const COLUMN_PROFILE_FIELDS = ['username', 'email', 'phone', 'nickname', 'name'] as const;

export type StringProfileField = (typeof STRING_PROFILE_FIELDS)[number];
export type BooleanProfileField = (typeof BOOLEAN_PROFILE_FIELDS)[number];

export type ProfileInput = Partial<Record<StringProfileField, string | null>> &
  Partial<Record<BooleanProfileField, boolean>>;

export const USER_SOURCES = ['local', 'migrated', 'custom-db', 'imported'] as const;
export type UserSource = (typeof USER_SOURCES)[number];

export interface User extends Record<StringProfileField, string | null>, Record<BooleanProfileField, boolean> {
  id: string;
  userPoolId: string;
  loginsCount: number;
  lastLogin: string | null;
  lastIP: string | null;
  signedUp: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  externalId: string | null;
  source: UserSource;
}

/** Which identifier a login or a find looks a user up by. */
export type AccountQuery = { email: string } | { username: string } | { phone: string };
export type UserQuery = AccountQuery | { id: string };

const PHONE = /^\+\d{4,20}$/;

/** `account` is an email when it has `@`, a phone when it is `+` and digits, else a username. */
export function accountQueryFrom(account: string): AccountQuery {
  if (account.includes('@')) return { email: account };
  if (PHONE.test(account)) return { phone: account };
  return { username: account };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** An empty user object: every field present, so responses always have one shape. */
export function blankUser(id: string, userPoolId: string, source: UserSource): User {
  const user = {
    id,
    userPoolId,
    loginsCount: 0,
    lastLogin: null,
    lastIP: null,
    signedUp: null,
    createdAt: null,
    updatedAt: null,
    externalId: null,
    source,
  } as Record<string, unknown>;
  for (const field of STRING_PROFILE_FIELDS) user[field] = null;
  for (const field of BOOLEAN_PROFILE_FIELDS) user[field] = false;
  return user as unknown as User;
}

/** A new user as an admin or a sign-up gives it: profile fields and, optionally, a plain password. */
export type NewUserInput = ProfileInput & { password?: string };
/** Changes to a user; a `password` sets a new one. */
export type UserChanges = ProfileInput & { password?: string };

/** What a request knows about its caller, for throttling, `lastIP` and scripts' `context.request`. */
export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}
