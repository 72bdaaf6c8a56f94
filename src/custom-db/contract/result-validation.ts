/**
 * What each script must return (the contract's result shapes), checked strictly on every
 * successful call so the layers above can trust `result`: a profile has an `id`, every
 * profile field it carries has its type and fits the size the API's own schemas allow
 * (http/schemas/users.ts), `blocked` and the other flags are booleans, lists are checked
 * item by item, and no result is larger or deeper than a user directory needs.
 *
 * Messages name the field, never its value: a result can hold anything, secrets included.
 */
import { BOOLEAN_PROFILE_FIELDS, STRING_PROFILE_FIELDS, type StringProfileField } from '../../domain/user.js';
import { SCRIPT_DISPLAY_NAMES, type ScriptName } from './script-contract.js';

export type ValidationResult = { ok: true } | { ok: false; message: string };

/** Longest text per profile field: the API's limits for the fields it constrains, else its general field limit. */
export const PROFILE_FIELD_MAX_LENGTH = 1024;
const SPECIAL_MAX_LENGTHS: Partial<Record<StringProfileField, number>> = { email: 254, username: 128, phone: 33 };
export const ID_MAX_LENGTH = 128;
const TIMESTAMP_MAX_LENGTH = 64;
/** The longest IPv6 text with an IPv4 tail and a zone, with room to spare. */
const IP_MAX_LENGTH = 64;
const TIMESTAMP_FIELDS = ['lastLogin', 'signedUp', 'createdAt', 'updatedAt'] as const;

/** A profile with every field at its limit is about 30 KB; the rest is for the script's own extra keys. */
export const PROFILE_MAX_SIZE = 64 * 1024;
/** Ten times the API's largest page (100): a search script may ignore `context.limit`, a flood may not. */
export const LIST_MAX_ITEMS = 1000;
export const RESULT_MAX_SIZE = 4 * 1024 * 1024;
/** Objects and arrays nested deeper than any profile needs. */
export const RESULT_MAX_DEPTH = 32;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : `the number ${String(value)}`;
  return typeof value === 'undefined' ? 'undefined (did it forget to return?)' : `${typeof value} ${String(value)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a value is within `maxSize` (characters of its JSON, roughly) and `RESULT_MAX_DEPTH`.
 * Walked without recursion and stopped at the first excess, so a huge or deep result costs
 * no more than the limit.
 */
function sizeProblem(value: unknown, maxSize: number): string | null {
  let size = 0;
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const item = next.value;
    if (typeof item === 'string') size += item.length + 2;
    else if (item === null || typeof item !== 'object') size += 8;
    else {
      if (next.depth >= RESULT_MAX_DEPTH) return `it is nested deeper than ${RESULT_MAX_DEPTH} levels`;
      size += 2;
      const entries = Array.isArray(item) ? item.map((entry): [string, unknown] => ['', entry]) : Object.entries(item);
      for (const [key, entry] of entries) {
        size += key.length + 4;
        pending.push({ value: entry, depth: next.depth + 1 });
      }
    }
    if (size > maxSize) return `it is larger than ${Math.round(maxSize / 1024)} KB`;
  }
  return null;
}

function textProblem(field: string, value: unknown, maxLength: number): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.length <= maxLength)) return null;
  return typeof value === 'string'
    ? `\`${field}\` is ${describe(value)}; at most ${maxLength} are allowed`
    : `\`${field}\` is ${describe(value)}; it must be a string or null`;
}

/**
 * The profile's fields, each checked for its type and size. Flags are `true` or `false`;
 * `1` and `0` are taken too, exactly as MySQL answers a BOOLEAN (TINYINT(1)) column, and
 * absent or null means false. Nothing else: `"yes"`, `"false"` or `"0"` for `blocked` would
 * otherwise let a blocked user in, or keep one out, by accident.
 */
function fieldProblem(profile: Record<string, unknown>): string | null {
  const id = profile['id'];
  if (id === undefined) return 'it returned a profile without `id`';
  const idValid =
    typeof id === 'string' ? id.trim() !== '' && id.length <= ID_MAX_LENGTH : typeof id === 'number' && Number.isSafeInteger(id);
  if (!idValid) {
    return `it returned a profile whose \`id\` is ${describe(id)}; it must be a non-empty string of at most ${ID_MAX_LENGTH} characters or an integer`;
  }
  for (const field of STRING_PROFILE_FIELDS) {
    const problem = textProblem(field, profile[field], SPECIAL_MAX_LENGTHS[field] ?? PROFILE_FIELD_MAX_LENGTH);
    if (problem !== null) return problem;
  }
  for (const field of BOOLEAN_PROFILE_FIELDS) {
    const value = profile[field];
    if (!(value === undefined || value === null || typeof value === 'boolean' || value === 0 || value === 1)) {
      return `\`${field}\` is ${describe(value)}; it must be true or false`;
    }
  }
  for (const field of TIMESTAMP_FIELDS) {
    const value = profile[field];
    if (value === undefined || value === null) continue;
    const readable =
      (typeof value === 'string' && value.length <= TIMESTAMP_MAX_LENGTH) || (typeof value === 'number' && Number.isFinite(value))
        ? !Number.isNaN(new Date(value).getTime())
        : false;
    if (!readable) return `\`${field}\` is ${describe(value)}; it must be a date (ISO 8601 text or milliseconds since 1970) or null`;
  }
  const ip = textProblem('lastIP', profile['lastIP'], IP_MAX_LENGTH);
  if (ip !== null) return ip;
  const logins = profile['loginsCount'];
  if (!(logins === undefined || logins === null || (typeof logins === 'number' && Number.isSafeInteger(logins) && logins >= 0))) {
    return `\`loginsCount\` is ${describe(logins)}; it must be a non-negative integer`;
  }
  return null;
}

function profileProblem(value: unknown): string | null {
  if (!isRecord(value)) return `it returned ${describe(value)} instead of a profile object`;
  return sizeProblem(value, PROFILE_MAX_SIZE) ?? fieldProblem(value);
}

const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The profiles of a page, each checked with `itemProblem`, and the page's size. */
function pageItemsProblem(value: Record<string, unknown>, itemProblem: (item: unknown) => string | null): string | null {
  const { list } = value;
  if (!Array.isArray(list)) return `its \`list\` is ${describe(list)}; it must be an array of profiles`;
  if (list.length > LIST_MAX_ITEMS) return `its \`list\` has ${list.length} profiles; at most ${LIST_MAX_ITEMS} are allowed`;
  const tooLarge = sizeProblem(value, RESULT_MAX_SIZE);
  if (tooLarge !== null) return tooLarge;
  for (const [index, item] of list.entries()) {
    const problem = itemProblem(item);
    if (problem !== null) return `\`list[${index}]\`: ${problem.replace(/^it returned/, 'is')}`;
  }
  return null;
}

function listProblem(value: unknown): string | null {
  if (!isRecord(value)) return `it returned ${describe(value)} instead of { totalCount, list }`;
  if (!isCount(value['totalCount'])) {
    return `its \`totalCount\` is ${describe(value['totalCount'])}; it must be a non-negative integer`;
  }
  return pageItemsProblem(value, profileProblem);
}

/** Longest text of any part of a `passwordHash` (hash, salt): far beyond any real hash or salt. */
export const PASSWORD_HASH_PART_MAX_LENGTH = 1024;
/** Longest cursor text: an id or two, encoded, with room to spare. */
export const CURSOR_MAX_LENGTH = 1024;

/**
 * The shape of an exported profile's `passwordHash` (API.md's object): `algorithm` and `hash`
 * as text, every other part text or a number. Whether the algorithm is known and the hash
 * well-formed is decided per user when it is imported, so one odd record fails alone instead
 * of the whole page. Messages never quote the hash.
 */
function passwordHashProblem(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    return `\`passwordHash\` is ${describe(value)}; it must be an object such as { "algorithm": "bcrypt", "hash": "$2b$…" }`;
  }
  for (const [key, part] of Object.entries(value)) {
    const text = typeof part === 'string' && part.length <= PASSWORD_HASH_PART_MAX_LENGTH;
    if (!(text || (typeof part === 'number' && Number.isFinite(part)))) {
      return `\`passwordHash.${key.slice(0, 64)}\` is ${describe(part)}; it must be text of at most ${PASSWORD_HASH_PART_MAX_LENGTH} characters or a number`;
    }
  }
  for (const key of ['algorithm', 'hash'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') return `\`passwordHash.${key}\` must be non-empty text`;
  }
  return null;
}

function exportedProfileProblem(value: unknown): string | null {
  return profileProblem(value) ?? (isRecord(value) ? passwordHashProblem(value['passwordHash']) : null);
}

/** `exportUsers`: `{ list, nextCursor, totalCount? }`, `nextCursor` null once there is no more. */
function exportProblem(value: unknown): string | null {
  if (!isRecord(value)) return `it returned ${describe(value)} instead of { list, nextCursor }`;
  const { nextCursor, totalCount } = value;
  const cursorValid =
    nextCursor === null ||
    (typeof nextCursor === 'string' && nextCursor !== '' && nextCursor.length <= CURSOR_MAX_LENGTH) ||
    (typeof nextCursor === 'number' && Number.isSafeInteger(nextCursor));
  if (!cursorValid) {
    return `its \`nextCursor\` is ${describe(nextCursor)}; it must be null (no more users) or a non-empty string of at most ${CURSOR_MAX_LENGTH} characters or an integer`;
  }
  if (!(totalCount === undefined || totalCount === null || isCount(totalCount))) {
    return `its \`totalCount\` is ${describe(totalCount)}; it must be a non-negative integer when given`;
  }
  return pageItemsProblem(value, exportedProfileProblem);
}

function problemOf(script: ScriptName, value: unknown): string | null {
  switch (script) {
    case 'getUser':
      return value === null ? null : profileProblem(value);
    case 'login':
    case 'createUser':
    case 'updateUser':
      return profileProblem(value);
    case 'searchUser':
    case 'listUsers':
      return listProblem(value);
    case 'deleteUser':
      return value === true ? null : `it returned ${describe(value)} instead of true`;
    case 'validatePassword':
      return typeof value === 'boolean' ? null : `it returned ${describe(value)} instead of true or false`;
    case 'exportUsers':
      return exportProblem(value);
  }
}

export function validateResult(script: ScriptName, value: unknown): ValidationResult {
  const problem = problemOf(script, value);
  return problem === null
    ? { ok: true }
    : { ok: false, message: `The ${SCRIPT_DISPLAY_NAMES[script]} script returned an invalid result: ${problem}` };
}
