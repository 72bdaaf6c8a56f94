/**
 * Turns what a script returned into the API's user object. The result has passed the
 * contract's strict checks (contract/result-validation.ts: types and sizes of every field),
 * so this only maps: a number id becomes text, `1`/`0` flags (MySQL's booleans) become
 * true/false, dates become ISO text. Only the profile's fields leave, never a password or
 * hash the script forgot to drop; a value of another type than checked counts as absent.
 */
import {
  BOOLEAN_PROFILE_FIELDS,
  STRING_PROFILE_FIELDS,
  blankUser,
  type ProfileInput,
  type User,
  type UserSource,
} from '../domain/user.js';
import { PROFILE_FIELD_MAX_LENGTH } from './contract/result-validation.js';

type Profile = Record<string, unknown>;

function asText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function asId(value: unknown): string {
  return typeof value === 'number' ? String(value) : (asText(value) ?? '');
}

/** Only `true` and MySQL's `1` are true: any other value, a string such as "yes" included, is not. */
function asBoolean(value: unknown): boolean {
  return value === true || value === 1;
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
  const id = asId(p['id']);
  const user = blankUser(id, poolId, source);
  for (const field of STRING_PROFILE_FIELDS) user[field] = asText(p[field]);
  for (const field of BOOLEAN_PROFILE_FIELDS) user[field] = asBoolean(p[field]);
  user.loginsCount = typeof p['loginsCount'] === 'number' && Number.isSafeInteger(p['loginsCount']) ? p['loginsCount'] : 0;
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
    if (value !== null && value !== '') input[field] = value.slice(0, PROFILE_FIELD_MAX_LENGTH);
  }
  for (const field of BOOLEAN_PROFILE_FIELDS) input[field] = user[field];
  return input;
}
