/**
 * The API's `passwordHash` object (API.md, "Finishing a migration") turned into the
 * StoredPassword the store keeps (stored-formats.ts). Everything is checked here, at
 * import, so a malformed hash is a bad line in an import and never a login that fails
 * for a reason nobody sees. Messages name the field and never quote the hash or salt.
 */
import { fail, ok, type Result } from '../domain/result.js';
import {
  PASSWORD_HASH_ALGORITHMS,
  SALT_POSITIONS,
  type Digest,
  type PasswordHashInput,
  type StoredPassword,
} from '../domain/password.js';
import {
  BCRYPT,
  DIGEST_BYTES,
  PHPASS,
  checkDigest,
  checkPbkdf2,
  checkScrypt,
  decode,
  formatDigest,
  formatPbkdf2,
  formatScrypt,
  readArgon2,
  readPbkdf2,
  readScrypt,
  type Read,
} from './stored-formats.js';

export type PasswordHashResult = Result<StoredPassword, 'VALIDATION_ERROR'>;

export type PasswordHashField = keyof PasswordHashInput;
type Field = PasswordHashField;
const FIELDS: readonly Field[] = [
  'algorithm', 'hash', 'salt', 'saltPosition', 'encoding', 'saltEncoding', 'iterations', 'digest',
  'keyLength', 'cost', 'blockSize', 'parallelization',
];
const ENUMS: Partial<Record<Field, readonly string[]>> = {
  algorithm: PASSWORD_HASH_ALGORITHMS,
  saltPosition: SALT_POSITIONS,
  encoding: ['hex', 'base64'],
  saltEncoding: ['hex', 'base64', 'utf8'],
  digest: ['sha1', 'sha256', 'sha512'],
};
const NUMBERS: ReadonlySet<Field> = new Set(['iterations', 'keyLength', 'cost', 'blockSize', 'parallelization']);

/** The fields each algorithm may carry besides `algorithm` and `hash`. */
const ALLOWED: Record<PasswordHashInput['algorithm'], readonly Field[]> = {
  bcrypt: [],
  argon2: [],
  phpass: [],
  django: [],
  ldap: [],
  scrypt: ['salt', 'saltEncoding', 'encoding', 'keyLength', 'cost', 'blockSize', 'parallelization'],
  pbkdf2: ['salt', 'saltEncoding', 'encoding', 'keyLength', 'iterations', 'digest'],
  sha1: ['salt', 'saltEncoding', 'saltPosition', 'encoding'],
  sha256: ['salt', 'saltEncoding', 'saltPosition', 'encoding'],
  sha512: ['salt', 'saltEncoding', 'saltPosition', 'encoding'],
  md5: ['salt', 'saltEncoding', 'saltPosition', 'encoding'],
};

const SELF_DESCRIBING = 'its hash string carries its own parameters';

/**
 * Validates a `passwordHash` object and answers what the store keeps. `field` names the
 * object in messages (`passwordHash`, `line 3: passwordHash`…): `passwordHash.algorithm:
 * unknown algorithm "foo"`, `passwordHash.hash: not a bcrypt hash …`.
 */
export function parsePasswordHash(value: unknown, field: string): PasswordHashResult {
  return parsePasswordHashNamed(value, field, (name) => `${field}.${name}`);
}

/**
 * parsePasswordHash for a caller whose fields are named otherwise (Auth0's export lines):
 * `object` names the whole, `nameOf` each field of the `passwordHash` object, in messages.
 */
export function parsePasswordHashNamed(value: unknown, object: string, nameOf: (field: Field) => string): PasswordHashResult {
  const input = readInput(value, object, nameOf);
  if (!input.ok) return input;
  const parsed = parseInput(input.value);
  return parsed.ok ? ok(parsed.value) : invalid(`${nameOf(parsed.field)}: ${parsed.problem}`);
}

const invalid = (message: string) => fail('VALIDATION_ERROR', message);

function readInput(value: unknown, object: string, nameOf: (field: Field) => string): Result<PasswordHashInput, 'VALIDATION_ERROR'> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(`${object}: must be an object`);
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(name)) return invalid(`${nameOf(name as Field)}: unknown field`);
  }
  for (const name of FIELDS) {
    const got = record[name];
    if (got === undefined) {
      if (name === 'algorithm' || name === 'hash') return invalid(`${nameOf(name)}: required`);
      continue;
    }
    if (NUMBERS.has(name)) {
      if (typeof got !== 'number' || !Number.isSafeInteger(got) || got < 1) return invalid(`${nameOf(name)}: must be a positive integer`);
      continue;
    }
    if (typeof got !== 'string') return invalid(`${nameOf(name)}: must be a string`);
    const choices = ENUMS[name];
    if (name === 'algorithm' && !choices?.includes(got)) {
      return invalid(`${nameOf(name)}: unknown algorithm ${JSON.stringify(got.slice(0, 40))} (one of ${choices?.join(', ')})`);
    }
    if (choices && !choices.includes(got)) return invalid(`${nameOf(name)}: must be one of ${choices.join(', ')}`);
    if (name === 'hash' && got === '') return invalid(`${nameOf(name)}: must not be empty`);
  }
  const input = record as unknown as PasswordHashInput;
  for (const name of FIELDS) {
    if (name === 'algorithm' || name === 'hash' || record[name] === undefined) continue;
    if (!ALLOWED[input.algorithm].includes(name)) {
      const why = ALLOWED[input.algorithm].length === 0 ? SELF_DESCRIBING : `${name} is not one of its parameters`;
      return invalid(`${nameOf(name)}: not used with ${input.algorithm} (${why})`);
    }
  }
  return ok(input);
}

type Parsed = { ok: true; value: StoredPassword } | { ok: false; field: Field; problem: string };

const stored = (algorithm: string, hash: string): Parsed => ({ ok: true, value: { algorithm, hash } });
const wrong = (field: Field, text: string): Parsed => ({ ok: false, field, problem: text });
/** A stored-format reader's answer as a parse result, the problem put on `field`. */
const from = <T>(read: Read<T>, field: Field, format: (value: T) => StoredPassword): Parsed =>
  read.ok ? { ok: true, value: format(read.value) } : wrong(field, read.problem);
/** Like `from`, for parameters given as separate fields: a problem with one of them is put on that field. */
const fromFields = <T>(read: Read<T>, format: (value: T) => StoredPassword): Parsed =>
  read.ok ? { ok: true, value: format(read.value) } : wrong(read.parameter ?? 'hash', read.problem);

function parseInput(input: PasswordHashInput): Parsed {
  switch (input.algorithm) {
    case 'bcrypt':
      return parseBcrypt(input.hash);
    case 'argon2':
      return parseArgon2(input.hash);
    case 'phpass':
      return PHPASS.test(input.hash)
        ? stored('phpass', input.hash)
        : wrong('hash', 'not a phpass hash ($P$ or $H$, a count character, 8 characters of salt and 22 of hash)');
    case 'django':
      return parseDjango(input.hash);
    case 'ldap':
      return parseLdap(input.hash);
    case 'pbkdf2':
      return input.hash.startsWith('$') ? parsePhc(input, readPbkdf2, formatPbkdf2, 'pbkdf2') : parseRawPbkdf2(input);
    case 'scrypt':
      return input.hash.startsWith('$') ? parsePhc(input, readScrypt, formatScrypt, 'scrypt') : parseRawScrypt(input);
    default:
      return parseDigest(input, input.algorithm);
  }
}

function parseBcrypt(hash: string): Parsed {
  return BCRYPT.test(hash)
    ? stored('bcrypt', hash)
    : wrong('hash', 'not a bcrypt hash ($2a$, $2b$ or $2y$, a cost from 04 to 31, then 53 characters)');
}

function parseArgon2(hash: string): Parsed {
  const read = readArgon2(hash);
  return read.ok ? stored(read.value.variant, hash) : wrong('hash', read.problem);
}

/** A PHC string carries every parameter: the separate fields would only contradict it. */
function parsePhc<T>(input: PasswordHashInput, read: (text: string) => Read<T>, format: (value: T) => string, algorithm: string): Parsed {
  const extra = FIELDS.find((name) => name !== 'algorithm' && name !== 'hash' && input[name] !== undefined);
  if (extra) return wrong(extra, `not used with a PHC string (${SELF_DESCRIBING})`);
  return from(read(input.hash), 'hash', (value) => ({ algorithm, hash: format(value) }));
}

/** The hash (`encoding`, hex by default) and salt (`saltEncoding`, UTF-8 by default) as bytes. */
function decodeHashAndSalt(input: PasswordHashInput, what: string): { hash: Buffer; salt: Buffer } | Parsed {
  const encoding = input.encoding ?? 'hex';
  const hash = decode(input.hash, encoding);
  if (!hash) return wrong('hash', `not a ${encoding} ${what} (encoding: ${encoding}${input.encoding ? '' : ', the default'})`);
  const saltEncoding = input.saltEncoding ?? 'utf8';
  const salt = input.salt === undefined ? Buffer.alloc(0) : decode(input.salt, saltEncoding);
  if (!salt) return wrong('salt', `not ${saltEncoding} (saltEncoding: ${saltEncoding})`);
  return { hash, salt };
}

/** A derived key and its salt, for the key-derivation functions given as separate fields. */
function decodeKey(input: PasswordHashInput, algorithm: string): { key: Buffer; salt: Buffer } | Parsed {
  if (input.salt === undefined) return wrong('salt', `required with ${algorithm} parameters (or give a PHC string as hash)`);
  const decoded = decodeHashAndSalt(input, `${algorithm} key`);
  if ('ok' in decoded) return decoded;
  if (input.keyLength !== undefined && input.keyLength !== decoded.hash.length) {
    return wrong('keyLength', `the hash has ${decoded.hash.length} bytes, not ${input.keyLength}`);
  }
  return { key: decoded.hash, salt: decoded.salt };
}

function parseRawPbkdf2(input: PasswordHashInput): Parsed {
  if (input.iterations === undefined) return wrong('iterations', 'required with pbkdf2 parameters');
  if (input.digest === undefined) return wrong('digest', 'required with pbkdf2 parameters (sha1, sha256 or sha512)');
  const decoded = decodeKey(input, 'pbkdf2');
  if ('ok' in decoded) return decoded;
  const read = checkPbkdf2({ digest: input.digest, iterations: input.iterations, ...decoded });
  return fromFields(read, (value) => ({ algorithm: 'pbkdf2', hash: formatPbkdf2(value) }));
}

/** Defaults as Auth0's and most libraries': N 16384, r 8, p 1. */
function parseRawScrypt(input: PasswordHashInput): Parsed {
  const decoded = decodeKey(input, 'scrypt');
  if ('ok' in decoded) return decoded;
  const read = checkScrypt({ cost: input.cost ?? 16384, blockSize: input.blockSize ?? 8, parallelization: input.parallelization ?? 1, ...decoded });
  return fromFields(read, (value) => ({ algorithm: 'scrypt', hash: formatScrypt(value) }));
}

function parseDigest(input: PasswordHashInput, digest: Digest): Parsed {
  if (input.salt !== undefined && input.saltPosition === undefined) {
    return wrong('saltPosition', 'required with a salt (prefix: H(salt + password), suffix: H(password + salt))');
  }
  const decoded = decodeHashAndSalt(input, `${digest} digest`);
  if ('ok' in decoded) return decoded;
  const { hash: value, salt } = decoded;
  return from(
    checkDigest({ digest, saltPosition: input.saltPosition ?? 'prefix', salt, value }),
    'hash',
    (hash) => ({ algorithm: 'digest', hash: formatDigest(hash) }),
  );
}

const LDAP_SCHEMES: Record<string, Digest> = {
  SHA: 'sha1', SSHA: 'sha1', SHA256: 'sha256', SSHA256: 'sha256', SHA512: 'sha512', SSHA512: 'sha512', MD5: 'md5', SMD5: 'md5',
};

/** RFC 2307 userPassword values: `{SSHA}` is base64(SHA-1(password ‖ salt) ‖ salt), `{SHA}` base64(SHA-1(password)). */
function parseLdap(hash: string): Parsed {
  const match = /^\{([A-Za-z0-9]+)\}(.+)$/.exec(hash);
  const scheme = match?.[1]?.toUpperCase() ?? '';
  const digest = LDAP_SCHEMES[scheme];
  const bytes = match?.[2] === undefined ? undefined : decode(match[2], 'base64');
  if (!digest || !bytes) return wrong('hash', 'not an LDAP hash ({SSHA}, {SHA}, {SSHA256}, {SSHA512}, {SMD5} or {MD5}, then base64)');
  const length = DIGEST_BYTES[digest];
  const salted = scheme.startsWith('S') && scheme !== 'SHA' && scheme !== 'SHA256' && scheme !== 'SHA512';
  if (salted ? bytes.length <= length : bytes.length !== length) {
    return wrong('hash', `an LDAP {${scheme}} value must have ${salted ? 'more than ' : ''}${length} bytes`);
  }
  const value = bytes.subarray(0, length);
  const salt = bytes.subarray(length);
  return stored('digest', formatDigest({ digest, saltPosition: 'suffix', salt, value }));
}

/**
 * Django's `<algorithm>$…` strings: pbkdf2_sha256 and pbkdf2_sha1 (`$<iterations>$<salt
 * text>$<base64 key>`), argon2 (`argon2` then the PHC string), bcrypt_sha256 and bcrypt
 * (`$` then the bcrypt string), scrypt (`$<N>$<salt text>$<r>$<p>$<base64 key>`) and the
 * old salted sha1 and md5 (`$<salt text>$<hex digest>`, H(salt + password)).
 */
function parseDjango(hash: string): Parsed {
  const separator = hash.indexOf('$');
  const algorithm = hash.slice(0, separator);
  const rest = hash.slice(separator + 1);
  const parts = rest.split('$');
  const shape = (expected: string): Parsed => wrong('hash', `not a Django ${algorithm} hash (${algorithm}$${expected})`);
  switch (separator < 0 ? '' : algorithm) {
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha1': {
      const [iterations, saltText, keyText] = parts;
      const key = keyText === undefined ? undefined : decode(keyText, 'base64');
      if (parts.length !== 3 || !/^[1-9][0-9]{0,9}$/.test(iterations ?? '') || !saltText || !key) return shape('<iterations>$<salt>$<base64 hash>');
      const digest = algorithm === 'pbkdf2_sha1' ? 'sha1' : 'sha256';
      return from(checkPbkdf2({ digest, iterations: Number(iterations), salt: Buffer.from(saltText, 'utf8'), key }), 'hash', (value) => ({
        algorithm: 'pbkdf2',
        hash: formatPbkdf2(value),
      }));
    }
    case 'argon2':
      return parseArgon2(`$${rest}`);
    case 'bcrypt_sha256':
    case 'bcrypt': {
      const bcrypt = parseBcrypt(rest);
      if (!bcrypt.ok) return shape('$2b$<cost>$…');
      return algorithm === 'bcrypt' ? bcrypt : stored('bcrypt-sha256', rest);
    }
    case 'scrypt': {
      const [cost, saltText, blockSize, parallelization, keyText] = parts;
      const key = keyText === undefined ? undefined : decode(keyText, 'base64');
      const numbers = [cost, blockSize, parallelization].every((part) => /^[1-9][0-9]{0,9}$/.test(part ?? ''));
      if (parts.length !== 5 || !numbers || !saltText || !key) return shape('<N>$<salt>$<r>$<p>$<base64 hash>');
      return from(
        checkScrypt({ cost: Number(cost), blockSize: Number(blockSize), parallelization: Number(parallelization), salt: Buffer.from(saltText, 'utf8'), key }),
        'hash',
        (value) => ({ algorithm: 'scrypt', hash: formatScrypt(value) }),
      );
    }
    case 'sha1':
    case 'md5': {
      const [saltText, hex] = parts;
      const value = hex === undefined ? undefined : decode(hex, 'hex');
      if (parts.length !== 2 || saltText === undefined || !value) return shape('<salt>$<hex digest>');
      const digest: Digest = algorithm === 'sha1' ? 'sha1' : 'md5';
      return from(checkDigest({ digest, saltPosition: 'prefix', salt: Buffer.from(saltText, 'utf8'), value }), 'hash', (digest) => ({
        algorithm: 'digest',
        hash: formatDigest(digest),
      }));
    }
    default:
      return wrong('hash', 'not a Django hash (pbkdf2_sha256$…, pbkdf2_sha1$…, argon2$…, bcrypt_sha256$…, bcrypt$…, scrypt$…, sha1$… or md5$…)');
  }
}
