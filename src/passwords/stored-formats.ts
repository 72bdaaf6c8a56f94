/**
 * The strings the store keeps in `password_hash`, one grammar per stored algorithm, each
 * self-describing (every parameter needed to verify is in the string), so a row never
 * needs a second column and an exported row means the same thing elsewhere:
 *
 * | algorithm       | hash                                                                  |
 * | --------------- | --------------------------------------------------------------------- |
 * | `argon2id`/`i`/`d` | the PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`     |
 * | `bcrypt`        | the modular-crypt string: `$2b$10$<22 salt><31 hash>` (`$2a$`, `$2y$` too) |
 * | `bcrypt-sha256` | a bcrypt string over the password's hex SHA-256 (Django's `bcrypt_sha256`) |
 * | `phpass`        | the portable-hash string: `$P$B<8 salt><22 hash>` (`$H$` too)         |
 * | `pbkdf2`        | `$pbkdf2-<sha1|sha256|sha512>$i=<iterations>$<salt>$<key>`            |
 * | `scrypt`        | `$scrypt$ln=<log2 N>,r=<block size>,p=<parallelization>$<salt>$<key>` |
 * | `digest`        | `$<md5|sha1|sha256|sha512>$pos=<prefix|suffix>$<salt>$<digest>`: H(salt ‖ password) or H(password ‖ salt); an empty salt for a plain digest |
 *
 * Salts and keys in the last three are raw bytes in the PHC string format's B64: standard
 * base64 without padding. The last three are written here; the first four are kept as the
 * system that made them wrote them (their own formats already carry every parameter).
 */
import type { Digest, SaltPosition } from '../domain/password.js';

/** Upper bounds on the work one verification may cost, so an imported hash cannot make logins a denial of service. */
export const LIMITS = {
  pbkdf2Iterations: 10_000_000,
  /** scrypt's memory is 128 · N · r bytes: at most 256 MiB */
  scryptMemoryBytes: 256 * 1024 * 1024,
  scryptParallelization: 16,
  /** argon2's m, in KiB: at most 1 GiB */
  argon2MemoryKiB: 1024 * 1024,
  argon2Time: 100,
  argon2Parallelism: 16,
} as const;

export const DIGEST_BYTES: Record<Digest, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Strict decoding (Buffer.from skips what it cannot read, which would hide a malformed hash). */
export function decode(text: string, encoding: 'hex' | 'base64' | 'utf8'): Buffer | undefined {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  if (encoding === 'hex') return HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** PHC B64 (standard base64, no padding); passlib writes `.` for `+`, which is read too. */
export function decodePhcBase64(text: string): Buffer | undefined {
  return decode(text.replaceAll('.', '+'), 'base64');
}

export const encodePhcBase64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

export interface Pbkdf2Hash {
  digest: 'sha1' | 'sha256' | 'sha512';
  iterations: number;
  salt: Buffer;
  key: Buffer;
}

export interface ScryptHash {
  /** N itself */
  cost: number;
  blockSize: number;
  parallelization: number;
  salt: Buffer;
  key: Buffer;
}

export interface DigestHash {
  digest: Digest;
  saltPosition: SaltPosition;
  salt: Buffer;
  value: Buffer;
}

/**
 * A reader's answer: the parameters, or what is wrong (safe to show: it never quotes the
 * hash) and, when one parameter is at fault, its name in the API's `passwordHash` object.
 */
export type Read<T> = { ok: true; value: T } | { ok: false; problem: string; parameter?: HashParameter };
export type HashParameter = 'iterations' | 'cost' | 'blockSize' | 'parallelization';
const problem = (text: string, parameter?: HashParameter): { ok: false; problem: string; parameter?: HashParameter } =>
  parameter ? { ok: false, problem: text, parameter } : { ok: false, problem: text };

const isDecimal = (text: string | undefined): text is string => text !== undefined && /^[1-9][0-9]{0,9}$/.test(text);

function phcParameters(text: string): Map<string, string> | undefined {
  const parameters = new Map<string, string>();
  for (const pair of text.split(',')) {
    const [name, value, ...rest] = pair.split('=');
    if (name === undefined || value === undefined || rest.length > 0 || parameters.has(name)) return undefined;
    parameters.set(name, value);
  }
  return parameters;
}

export function checkPbkdf2(hash: Pbkdf2Hash): Read<Pbkdf2Hash> {
  if (!Number.isSafeInteger(hash.iterations) || hash.iterations < 1 || hash.iterations > LIMITS.pbkdf2Iterations) {
    return problem(`PBKDF2 iterations must be between 1 and ${LIMITS.pbkdf2Iterations}`, 'iterations');
  }
  if (hash.key.length < 8) return problem('a PBKDF2 key must have at least 8 bytes');
  return { ok: true, value: hash };
}

const PBKDF2_PHC_DIGESTS: Record<string, Pbkdf2Hash['digest']> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha1': 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
};

/**
 * A PBKDF2 PHC string as this store writes it (`$pbkdf2-sha256$i=…$salt$key`), as Auth0
 * writes it (`i=…,l=<key length>`) or as passlib writes it (`$pbkdf2-sha256$<iterations>$…`,
 * `$pbkdf2$` for SHA-1, `.` for `+`).
 */
export function readPbkdf2(text: string): Read<Pbkdf2Hash> {
  const [empty, id, parameterText, saltText, keyText, ...rest] = text.split('$');
  const digest = id === undefined ? undefined : PBKDF2_PHC_DIGESTS[id];
  if (empty !== '' || digest === undefined || parameterText === undefined || keyText === undefined || rest.length > 0) {
    return problem('not a PBKDF2 PHC string ($pbkdf2-sha256$i=<iterations>$<salt>$<key>)');
  }
  const parameters = isDecimal(parameterText) ? new Map([['i', parameterText]]) : phcParameters(parameterText);
  const iterations = parameters?.get('i');
  const keyLength = parameters?.get('l');
  if (!parameters || !isDecimal(iterations) || [...parameters.keys()].some((name) => name !== 'i' && name !== 'l')) {
    return problem('PBKDF2 parameters must be i=<iterations> (and l=<key length>)');
  }
  const salt = decodePhcBase64(saltText ?? '');
  const key = decodePhcBase64(keyText);
  if (!salt || !key) return problem('the PBKDF2 salt and key must be base64');
  if (keyLength !== undefined && Number(keyLength) !== key.length) return problem(`the PBKDF2 key has ${key.length} bytes, not l=${keyLength}`);
  return checkPbkdf2({ digest, iterations: Number(iterations), salt, key });
}

export const formatPbkdf2 = (hash: Pbkdf2Hash): string =>
  `$pbkdf2-${hash.digest}$i=${hash.iterations}$${encodePhcBase64(hash.salt)}$${encodePhcBase64(hash.key)}`;

export function checkScrypt(hash: ScryptHash): Read<ScryptHash> {
  const { cost, blockSize, parallelization } = hash;
  if (!Number.isSafeInteger(cost) || cost < 2 || (cost & (cost - 1)) !== 0) return problem('the scrypt cost (N) must be a power of 2 greater than 1', 'cost');
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) return problem('the scrypt block size (r) must be a positive integer', 'blockSize');
  if (!Number.isSafeInteger(parallelization) || parallelization < 1 || parallelization > LIMITS.scryptParallelization) {
    return problem(`the scrypt parallelization (p) must be between 1 and ${LIMITS.scryptParallelization}`, 'parallelization');
  }
  if (128 * cost * blockSize > LIMITS.scryptMemoryBytes) return problem('the scrypt parameters need more than 256 MiB (128 · N · r bytes)', 'cost');
  if (hash.key.length < 8) return problem('a scrypt key must have at least 8 bytes');
  return { ok: true, value: hash };
}

/** A scrypt PHC string: `$scrypt$ln=<log2 N>,r=<block size>,p=<parallelization>$<salt>$<key>` (passlib's `.` for `+` too). */
export function readScrypt(text: string): Read<ScryptHash> {
  const [empty, id, parameterText, saltText, keyText, ...rest] = text.split('$');
  if (empty !== '' || id !== 'scrypt' || parameterText === undefined || keyText === undefined || rest.length > 0) {
    return problem('not a scrypt PHC string ($scrypt$ln=<log2 N>,r=<block size>,p=<parallelization>$<salt>$<key>)');
  }
  const parameters = phcParameters(parameterText);
  const [ln, r, p] = ['ln', 'r', 'p'].map((name) => parameters?.get(name));
  if (!parameters || parameters.size !== 3 || !/^[1-9][0-9]?$/.test(ln ?? '') || !isDecimal(r) || !isDecimal(p)) {
    return problem('scrypt parameters must be ln=<log2 N>,r=<block size>,p=<parallelization>');
  }
  const salt = decodePhcBase64(saltText ?? '');
  const key = decodePhcBase64(keyText);
  if (!salt || !key) return problem('the scrypt salt and key must be base64');
  if (Number(ln) > 40) return problem('the scrypt parameters need more than 256 MiB (128 · N · r bytes)');
  return checkScrypt({ cost: 2 ** Number(ln), blockSize: Number(r), parallelization: Number(p), salt, key });
}

export const formatScrypt = (hash: ScryptHash): string =>
  `$scrypt$ln=${Math.log2(hash.cost)},r=${hash.blockSize},p=${hash.parallelization}$${encodePhcBase64(hash.salt)}$${encodePhcBase64(hash.key)}`;

export function checkDigest(hash: DigestHash): Read<DigestHash> {
  const bytes = DIGEST_BYTES[hash.digest];
  return hash.value.length === bytes ? { ok: true, value: hash } : problem(`a ${hash.digest} digest has ${bytes} bytes, not ${hash.value.length}`);
}

export function readDigest(text: string): Read<DigestHash> {
  const match = /^\$(md5|sha1|sha256|sha512)\$pos=(prefix|suffix)\$([A-Za-z0-9+/]*)\$([A-Za-z0-9+/]+)$/.exec(text);
  const salt = match && decodePhcBase64(match[3] ?? '');
  const value = match && decodePhcBase64(match[4] ?? '');
  if (!match || !salt || !value) return problem('not a stored digest');
  return checkDigest({ digest: match[1] as Digest, saltPosition: match[2] as SaltPosition, salt, value });
}

/** An unsalted digest is always written `pos=prefix`, so one hash has one spelling. */
export const formatDigest = (hash: DigestHash): string =>
  `$${hash.digest}$pos=${hash.salt.length === 0 ? 'prefix' : hash.saltPosition}$${encodePhcBase64(hash.salt)}$${encodePhcBase64(hash.value)}`;

export interface Argon2Hash {
  variant: 'argon2id' | 'argon2i' | 'argon2d';
  version: number;
  memoryKiB: number;
  time: number;
  parallelism: number;
}

/** An argon2 PHC string (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`; `v=` may be missing: version 16). */
export function readArgon2(text: string): Read<Argon2Hash> {
  const match =
    /^\$(argon2id|argon2i|argon2d)\$(?:v=(16|19)\$)?m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{6,})$/.exec(text);
  if (!match) return problem('not an argon2 PHC string ($argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>)');
  const [memoryKiB, time, parallelism] = [match[3], match[4], match[5]].map(Number) as [number, number, number];
  if (time < 1 || time > LIMITS.argon2Time) return problem(`argon2 t must be between 1 and ${LIMITS.argon2Time}`);
  if (parallelism < 1 || parallelism > LIMITS.argon2Parallelism) return problem(`argon2 p must be between 1 and ${LIMITS.argon2Parallelism}`);
  if (memoryKiB < 8 * parallelism || memoryKiB > LIMITS.argon2MemoryKiB) return problem(`argon2 m must be between 8·p and ${LIMITS.argon2MemoryKiB} KiB`);
  if (!decodePhcBase64(match[6] ?? '') || !decodePhcBase64(match[7] ?? '')) return problem('the argon2 salt and hash must be base64');
  return {
    ok: true,
    value: { variant: match[1] as Argon2Hash['variant'], version: Number(match[2] ?? 16), memoryKiB, time, parallelism },
  };
}

/** `$2a$`, `$2b$` or `$2y$` (the same algorithm: the letters name bugs of other implementations), a cost, 22 characters of salt, 31 of hash. */
export const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/** `$P$` (phpass, WordPress) or `$H$` (phpBB), the log2 of the count (7…30) as one character, 8 of salt, 22 of hash. */
export const PHPASS = /^\$[PH]\$[5-9A-S][./0-9A-Za-z]{30}$/;
