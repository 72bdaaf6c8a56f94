/**
 * A password as the store keeps it: the hash and the algorithm that made it, so each
 * user's is verified the right way. `algorithm` is one of STORED_PASSWORD_ALGORITHMS
 * (what a row written by this server holds); `hash` is self-describing for every one
 * of them (src/passwords/stored-formats.ts describes each string).
 */
export interface StoredPassword {
  hash: string;
  algorithm: string;
}

export const STORED_PASSWORD_ALGORITHMS = [
  'argon2id',
  'argon2i',
  'argon2d',
  'bcrypt',
  /** Django's bcrypt_sha256: bcrypt of the password's hex SHA-256 */
  'bcrypt-sha256',
  'phpass',
  'pbkdf2',
  'scrypt',
  /** salted or plain SHA-1/256/512 and MD5, LDAP's {SSHA}/{SHA} among them */
  'digest',
] as const;
export type StoredPasswordAlgorithm = (typeof STORED_PASSWORD_ALGORITHMS)[number];

/** The `algorithm` of the API's `passwordHash` object (API.md, "Finishing a migration"). */
export const PASSWORD_HASH_ALGORITHMS = [
  'bcrypt',
  'argon2',
  'scrypt',
  'pbkdf2',
  'phpass',
  'django',
  'sha1',
  'sha256',
  'sha512',
  'md5',
  'ldap',
] as const;
export type PasswordHashAlgorithm = (typeof PASSWORD_HASH_ALGORITHMS)[number];

export const SALT_POSITIONS = ['prefix', 'suffix'] as const;
export type SaltPosition = (typeof SALT_POSITIONS)[number];

/** The salted and plain digests, and the digests PBKDF2 runs on. */
export const DIGESTS = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type Digest = (typeof DIGESTS)[number];

/** The API's `passwordHash` object once its fields have the right types (not yet checked against each other). */
export interface PasswordHashInput {
  algorithm: PasswordHashAlgorithm;
  hash: string;
  salt?: string;
  saltPosition?: SaltPosition;
  encoding?: 'hex' | 'base64';
  saltEncoding?: 'hex' | 'base64' | 'utf8';
  iterations?: number;
  digest?: 'sha1' | 'sha256' | 'sha512';
  keyLength?: number;
  /** scrypt's N itself (e.g. 16384), not its logarithm */
  cost?: number;
  blockSize?: number;
  parallelization?: number;
}
