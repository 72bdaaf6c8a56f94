/**
 * The password of an Auth0 user-export line: `custom_password_hash` (Auth0's object for
 * hashes made elsewhere) or `password_hash` (a bcrypt string), turned into the API's
 * `passwordHash` object and parsed like one, so both kinds of line end in the same checks
 * and the same stored formats. Messages use Auth0's field names.
 */
import { fail, ok, type Result } from '../domain/result.js';
import { DIGESTS, type PasswordHashInput, type StoredPassword } from '../domain/password.js';
import { parsePasswordHashNamed, type PasswordHashField } from './parse-password-hash.js';

const CUSTOM = 'custom_password_hash';

/** Where each field of our object sits in Auth0's. */
const AUTH0_NAMES: Record<PasswordHashField, string> = {
  algorithm: 'algorithm',
  hash: 'hash.value',
  encoding: 'hash.encoding',
  salt: 'salt.value',
  saltEncoding: 'salt.encoding',
  saltPosition: 'salt.position',
  keyLength: 'keylen',
  cost: 'cost',
  blockSize: 'blockSize',
  parallelization: 'parallelization',
  iterations: 'iterations',
  digest: 'hash.digest',
};

/** Auth0 algorithms whose hash string carries its own parameters (Auth0 requires `hash.encoding` utf8 for them). */
const SELF_DESCRIBING = new Set(['argon2', 'bcrypt', 'ldap', 'pbkdf2']);

const invalid = (message: string) => fail('VALIDATION_ERROR', message);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stored password an Auth0 export line carries, null when it carries none.
 * `line` is the parsed JSON line; `field` prefixes messages (e.g. `line 3`), or nothing.
 */
export function parseAuth0PasswordHash(line: unknown, field?: string): Result<StoredPassword | null, 'VALIDATION_ERROR'> {
  const at = (name: string) => (field ? `${field}: ${name}` : name);
  if (!isRecord(line)) return invalid(at('must be an object'));
  const custom = line[CUSTOM];
  const bcrypt = line.password_hash;
  if (custom !== undefined && bcrypt !== undefined) return invalid(at(`${CUSTOM}: not allowed together with password_hash`));
  if (bcrypt !== undefined) {
    if (typeof bcrypt !== 'string') return invalid(at('password_hash: must be a string'));
    // Only the hash itself can be wrong here: every message names password_hash.
    return parsePasswordHashNamed({ algorithm: 'bcrypt', hash: bcrypt }, at('password_hash'), () => at('password_hash'));
  }
  if (custom === undefined) return ok(null);
  const input = toPasswordHashInput(custom, at(CUSTOM));
  if (!input.ok) return input;
  return parsePasswordHashNamed(input.value, at(CUSTOM), (name) => `${at(CUSTOM)}.${AUTH0_NAMES[name]}`);
}

function toPasswordHashInput(custom: unknown, object: string): Result<Partial<PasswordHashInput>, 'VALIDATION_ERROR'> {
  if (!isRecord(custom)) return invalid(`${object}: must be an object`);
  const { algorithm, hash, salt, password, keylen, cost, blockSize, parallelization } = custom;
  if (algorithm === 'hmac' || algorithm === 'md4') return invalid(`${object}.algorithm: ${algorithm} hashes cannot be imported here`);
  if (!isRecord(hash)) return invalid(`${object}.hash: must be an object ({"value", "encoding"})`);
  if (password !== undefined && (!isRecord(password) || (password.encoding !== undefined && password.encoding !== 'utf8'))) {
    return invalid(`${object}.password.encoding: only utf8 passwords can be imported`);
  }
  const input: Record<string, unknown> = { algorithm, hash: hash.value };
  const encoding = hash.encoding;
  if (SELF_DESCRIBING.has(String(algorithm))) {
    if (encoding !== undefined && encoding !== 'utf8') return invalid(`${object}.hash.encoding: must be utf8 with ${String(algorithm)}`);
  } else if (encoding !== undefined) {
    input.encoding = encoding;
  }
  if (salt !== undefined) {
    if (!isRecord(salt)) return invalid(`${object}.salt: must be an object ({"value", "encoding", "position"})`);
    input.salt = salt.value;
    input.saltEncoding = salt.encoding;
    // Auth0 may write a position for algorithms that have none (scrypt): only digests read it.
    if ((DIGESTS as readonly unknown[]).includes(algorithm)) input.saltPosition = salt.position;
  }
  Object.assign(input, { keyLength: keylen, cost, blockSize, parallelization });
  // Absent Auth0 fields are absent here too, so "not used with bcrypt" names only what was given.
  return ok(Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<PasswordHashInput>);
}
