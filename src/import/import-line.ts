/**
 * One line of an import file turned into the user to write, or the reason it cannot be:
 * our own lines (profile fields, `externalId`, `password` or `passwordHash`) and Auth0's
 * user-export lines (their field names; fields we do not keep are ignored). Messages name
 * the field as the file spells it and never quote a password or hash.
 */
import { fail, ok, type Result } from '../domain/result.js';
import { BOOLEAN_PROFILE_FIELDS, STRING_PROFILE_FIELDS, type ProfileInput } from '../domain/user.js';
import { parsePasswordHash } from '../passwords/parse-password-hash.js';
import { parseAuth0PasswordHash } from '../passwords/auth0-password-hash.js';
import type { StoredPassword } from '../domain/password.js';

/** A line's user before its password is hashed: a plain password is hashed later, in parallel. */
export interface ParsedLine {
  externalId: string | null;
  profile: ProfileInput;
  password: { plain: string } | { stored: StoredPassword } | null;
}

type LineResult = Result<ParsedLine, 'VALIDATION_ERROR'>;

// The same limits as the API's user schema (http/schemas/users.ts).
const FIELD_MAX_LENGTH = 1024;
const EXTERNAL_ID_MAX_LENGTH = 255;
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 256;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+?[0-9 ()-]{4,32}$/;
const USERNAME = /^[^@\s]+$/;

const STRING_FIELDS: ReadonlySet<string> = new Set(STRING_PROFILE_FIELDS);
const BOOLEAN_FIELDS: ReadonlySet<string> = new Set(BOOLEAN_PROFILE_FIELDS);

/** Auth0's export fields we keep, and our field each becomes. */
const AUTH0_FIELDS: Record<string, keyof ProfileInput> = {
  email: 'email',
  email_verified: 'emailVerified',
  username: 'username',
  phone_number: 'phone',
  name: 'name',
  nickname: 'nickname',
  picture: 'photo',
  given_name: 'givenName',
  family_name: 'familyName',
  blocked: 'blocked',
};
/** Fields only Auth0's lines have: one of them makes a line Auth0's. */
const AUTH0_MARKERS = ['user_id', 'email_verified', 'phone_number', 'given_name', 'family_name', 'custom_password_hash', 'password_hash', 'picture'];

const invalid = (message: string): LineResult => fail('VALIDATION_ERROR', message);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The problem with a profile value, or undefined when it is fine. */
function profileProblem(field: keyof ProfileInput, value: unknown): string | undefined {
  if (BOOLEAN_FIELDS.has(field)) return typeof value === 'boolean' ? undefined : 'must be true or false';
  if (value === null) return undefined;
  if (typeof value !== 'string') return 'must be a string or null';
  if (value.length > FIELD_MAX_LENGTH) return `must be at most ${FIELD_MAX_LENGTH} characters`;
  if (field === 'email' && (!EMAIL.test(value) || value.length > 254)) return 'is not an email address';
  if (field === 'phone' && !PHONE.test(value)) return 'is not a phone number';
  if (field === 'username' && (!USERNAME.test(value) || value.length > 128)) return 'must be 1 to 128 characters without @ or spaces';
  return undefined;
}

function externalIdFrom(value: unknown, name: string): Result<string | null, 'VALIDATION_ERROR'> {
  if (value === undefined || value === null) return ok(null);
  if (typeof value !== 'string' || value.length === 0 || value.length > EXTERNAL_ID_MAX_LENGTH) {
    return fail('VALIDATION_ERROR', `${name}: must be a string of 1 to ${EXTERNAL_ID_MAX_LENGTH} characters`);
  }
  return ok(value);
}

/** A user needs something a re-run can find it by again. */
function identified(parsed: ParsedLine, names: { externalId: string }): LineResult {
  if (parsed.externalId === null && typeof parsed.profile.email !== 'string') {
    return invalid(`needs ${names.externalId} or email: a re-run finds users by them`);
  }
  return ok(parsed);
}

function ourLine(line: Record<string, unknown>): LineResult {
  const profile: ProfileInput = {};
  for (const [field, value] of Object.entries(line)) {
    if (field === 'externalId' || field === 'password' || field === 'passwordHash') continue;
    if (!STRING_FIELDS.has(field) && !BOOLEAN_FIELDS.has(field)) return invalid(`${field}: is not a known field`);
    const problem = profileProblem(field as keyof ProfileInput, value);
    if (problem) return invalid(`${field}: ${problem}`);
    (profile as Record<string, unknown>)[field] = value;
  }
  const externalId = externalIdFrom(line['externalId'], 'externalId');
  if (!externalId.ok) return externalId;
  const { password, passwordHash } = line;
  let parsedPassword: ParsedLine['password'] = null;
  if (password !== undefined && passwordHash !== undefined) return invalid('password: not allowed together with passwordHash');
  if (password !== undefined) {
    if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
      return invalid(`password: must be a string of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
    }
    parsedPassword = { plain: password };
  } else if (passwordHash !== undefined) {
    const stored = parsePasswordHash(passwordHash, 'passwordHash');
    if (!stored.ok) return stored;
    parsedPassword = { stored: stored.value };
  }
  return identified({ externalId: externalId.value, profile, password: parsedPassword }, { externalId: 'externalId' });
}

function auth0Line(line: Record<string, unknown>): LineResult {
  const profile: ProfileInput = {};
  for (const [auth0Field, field] of Object.entries(AUTH0_FIELDS)) {
    const value = line[auth0Field];
    if (value === undefined) continue;
    const problem = profileProblem(field, value);
    if (problem) return invalid(`${auth0Field}: ${problem}`);
    (profile as Record<string, unknown>)[field] = value;
  }
  const userId = externalIdFrom(line['user_id'], 'user_id');
  if (!userId.ok) return userId;
  // Auth0 names a database user `auth0|<id>`; the id alone is what other exports name it by.
  const externalId = userId.value?.startsWith('auth0|') ? userId.value.slice('auth0|'.length) : userId.value;
  if (externalId === '') return invalid('user_id: has nothing after auth0|');
  const stored = parseAuth0PasswordHash(line);
  if (!stored.ok) return stored;
  return identified(
    { externalId, profile, password: stored.value === null ? null : { stored: stored.value } },
    { externalId: 'user_id' },
  );
}

/** Reads a line already parsed from JSON. */
export function parseImportLine(value: unknown): LineResult {
  if (!isRecord(value)) return invalid('must be a JSON object');
  return AUTH0_MARKERS.some((marker) => marker in value) ? auth0Line(value) : ourLine(value);
}
