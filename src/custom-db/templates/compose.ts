/**
 * Builds template scripts from shared pieces of JavaScript source.
 *
 * An administrator may save any one script on its own, so each script text must stand alone:
 * the helpers it needs are copied into it. They are written once here and composed, so the
 * four templates do not drift apart.
 *
 * Scripts declare nothing at the top level but their own function (and guarded
 * `global.x ??=` set-up): whether the runtime loads each script into its own scope or all
 * eight into one, no two scripts can then collide on a name.
 *
 * Snippets are `String.raw` so a backslash in them is a backslash in the script; they must
 * not contain backticks or `${`.
 */
import { PROFILE_COLUMNS, TIMESTAMP_FIELDS, type ProfileField } from '../../sample-db/schema.js';
import type { ScriptName } from '../contract/script-contract.js';

export type { ScriptName };

export const SCRIPT_PARAMETERS = {
  login: 'query, password, context',
  getUser: 'query, context',
  searchUser: 'keyword, context',
  createUser: 'userinfo, context',
  updateUser: 'id, updates, context',
  deleteUser: 'id, context',
  listUsers: 'page, limit, context',
  validatePassword: 'id, password, context',
} as const satisfies Record<ScriptName, string>;

export function indent(source: string, spaces = 2): string {
  const pad = ' '.repeat(spaces);
  return source
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

export interface ScriptParts {
  /** Top-level set-up, run once per runtime: the shared connection pool. */
  readonly prelude: string;
  /** Constants, placed first in the function (a `const` must come before its use). */
  readonly constants?: readonly string[];
  /** The logic. */
  readonly body: string;
  /** Function declarations, placed after the logic (they are hoisted). */
  readonly helpers?: readonly string[];
}

export function script(name: ScriptName, parts: ScriptParts): string {
  const inside = [...(parts.constants ?? []), parts.body, ...(parts.helpers ?? [])].join('\n\n');
  return `${parts.prelude}\n\nasync function ${name}(${SCRIPT_PARAMETERS[name]}) {\n${indent(inside)}\n}\n`;
}

/** A JavaScript string literal, single-quoted unless the text holds a single quote. */
export function jsString(text: string): string {
  return text.includes("'") || text.includes('\\') ? JSON.stringify(text) : `'${text}'`;
}

/** Formats items as a JavaScript list wrapped at `width`, for constants inside scripts. */
export function wrapList(items: readonly string[], open: string, close: string, width = 92): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}, ${item}`;
    if (next.length > width && line !== '') {
      lines.push(`${line},`);
      line = item;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return `${open}\n${indent(lines.join('\n'))}\n${close}`;
}

export const PROFILE_FIELDS = Object.keys(PROFILE_COLUMNS) as ProfileField[];

/** `const PROFILE_FIELDS = [...]` — the profile fields a script may return. */
export const PROFILE_FIELDS_CONSTANT = `// The profile fields a result may carry; anything else a record holds (the password hash
// above all) is left behind.
${wrapList(PROFILE_FIELDS.map((field) => `'${field}'`), 'const PROFILE_FIELDS = [', '];')}`;

/** Updatable fields: the whitelist create and update copy from their input. */
export const WRITABLE_FIELDS_CONSTANT = `// The fields a caller may write; other keys of the input are ignored, so no input key ever
// becomes a column or field name.
${wrapList(
  PROFILE_FIELDS.filter((field) => field !== 'createdAt' && field !== 'updatedAt').map((field) => `'${field}'`),
  'const WRITABLE_FIELDS = [',
  '];',
)}`;

/** Needs WRITABLE_FIELDS_CONSTANT among the script's constants. */
export const WRITABLE_FIELDS_HELPER = String.raw`// The whitelisted fields present in input; emails lower-case, timestamps as Date.
function writableFields(input) {
  const TIMESTAMPS = [` + TIMESTAMP_FIELDS.map((field) => `'${field}'`).join(', ') + String.raw`];
  const fields = {};
  for (const field of WRITABLE_FIELDS) {
    if (input == null || input[field] === undefined) continue;
    let value = input[field];
    if (field === 'email' && typeof value === 'string') value = value.toLowerCase();
    if (TIMESTAMPS.includes(field) && value !== null) {
      value = new Date(value);
      if (Number.isNaN(value.getTime())) throw new Error(field + ' is not a date');
    }
    fields[field] = value;
  }
  return fields;
}`;

export const LOOKUP_KEY = String.raw`// The lookup key the caller gave, the first of keys present; emails are stored lower-case.
// Values become strings, so an object such as { $ne: null } can never act as a query operator.
function lookupKey(input, keys) {
  for (const key of keys) {
    const value = input == null ? undefined : input[key];
    if (value !== undefined && value !== null && value !== '') {
      return { key, value: key === 'email' ? String(value).toLowerCase() : String(value) };
    }
  }
  return null;
}`;

export const PAGE_OF = String.raw`// 1-based page; 10 a page unless asked, never more than 100.
function pageOf(page, limit) {
  const number = Math.max(1, Math.floor(Number(page)) || 1);
  const size = Math.min(100, Math.max(1, Math.floor(Number(limit)) || 10));
  return { page: number, limit: size, offset: (number - 1) * size };
}`;

/**
 * Checks a password against a bcrypt hash; without a user, against a decoy hash so an
 * unknown user takes as long as a known one (no account enumeration by timing).
 */
export const PASSWORD_MATCHES = String.raw`// Without a hash (no such user) a decoy is checked, so that takes as long as a real check.
async function passwordMatches(candidate, hash) {
  const bcrypt = require('bcryptjs');
  const DECOY_HASH = '$2b$10$PmFcWmGpGtLCdI88lnGeGu85tWcuwIpK54yckIship4TDfvBZJq2G';
  const matches = await bcrypt.compare(String(candidate ?? ''), hash || DECOY_HASH);
  return matches && Boolean(hash);
}`;

export const HASH_PASSWORD = String.raw`// A stored password is a bcrypt hash, never the text.
function hashPassword(password) {
  if (typeof password !== 'string' || password === '') throw new Error('password must be a non-empty string');
  return require('bcryptjs').hash(password, 10);
}`;

/** The login order every template follows: password first, then blocked. */
export const LOGIN_CHECKS = String.raw`// Checked in this order so "blocked" is only ever told to someone who knows the password.
if (!(await passwordMatches(password, user ? user.password : null))) {
  if (!user) throw new UserNotFoundError('no user with that ' + lookup.key);
  throw new WrongUsernameOrPasswordError('wrong password');
}
if (user.blocked) throw new AccountBlockedError('account is blocked');`;

/** Needs PROFILE_FIELDS_CONSTANT among the script's constants. */
export const RECORD_TO_PROFILE = String.raw`// A record as the profile: only profile fields, the id as text, timestamps as ISO 8601 text.
function toProfile(record, id) {
  const profile = { id: String(id) };
  for (const field of PROFILE_FIELDS) {
    const value = record[field];
    profile[field] = value === undefined ? null : value instanceof Date ? value.toISOString() : value;
  }
  return profile;
}`;
