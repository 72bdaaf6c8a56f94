/**
 * Turns what a script returned into the API's user object. Scripts answer whatever
 * their database holds (numbers for ids, 0/1 for booleans from MySQL, Dates), so this
 * is lenient about types but strict about what leaves: only the profile's fields, never
 * a password or hash the script forgot to drop.
 */
import {
  BOOLEAN_PROFILE_FIELDS,
  STRING_PROFILE_FIELDS,
  blankUser,
  type ProfileInput,
  type User,
  type UserSource,
} from '../domain/user.js';

/** Longest profile value kept when a migrated user is copied into the own store. */
const FIELD_MAX_LENGTH = 1024;

type Profile = Record<string, unknown>;

function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return null;
}

function asBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

function asTimestamp(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }
  return null;
}

export function userFromProfile(profile: unknown, poolId: string, source: UserSource): User {
  const p = (profile ?? {}) as Profile;
  const id = asText(p['id']) ?? '';
  const user = blankUser(id, poolId, source);
  for (const field of STRING_PROFILE_FIELDS) user[field] = asText(p[field]);
  for (const field of BOOLEAN_PROFILE_FIELDS) user[field] = asBoolean(p[field]);
  user.loginsCount = typeof p['loginsCount'] === 'number' ? p['loginsCount'] : 0;
  user.lastLogin = asTimestamp(p['lastLogin']);
  user.lastIP = asText(p['lastIP']);
  user.signedUp = asTimestamp(p['signedUp']);
  user.createdAt = asTimestamp(p['createdAt']);
  user.updatedAt = asTimestamp(p['updatedAt']);
  user.externalId = id;
  return user;
}

/** The profile fields of a custom-database user, as a migrated local user keeps them. */
export function profileInputFrom(user: User): ProfileInput {
  const input: ProfileInput = {};
  for (const field of STRING_PROFILE_FIELDS) {
    const value = user[field];
    if (value !== null && value !== '') input[field] = value.slice(0, FIELD_MAX_LENGTH);
  }
  for (const field of BOOLEAN_PROFILE_FIELDS) input[field] = user[field];
  return input;
}
