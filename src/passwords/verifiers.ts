/**
 * One verifier per stored algorithm (stored-formats.ts describes each hash string).
 * Maintained implementations where they exist: @node-rs/argon2 (Rust's argon2 crate),
 * bcryptjs, node:crypto for PBKDF2, scrypt and the digests; PHPass by hand (phpass.ts).
 * Every comparison is in constant time: the libraries' own, or timingSafeEqual on
 * buffers whose lengths the stored format fixes. A verifier answers false for a hash it
 * cannot read, so a row written under another algorithm never verifies.
 */
import { createHash, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verify as verifyArgon2 } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import type { StoredPasswordAlgorithm } from '../domain/password.js';
import { verifyPhpass } from './phpass.js';
import { BCRYPT, readArgon2, readDigest, readPbkdf2, readScrypt } from './stored-formats.js';

type Verifier = (hash: string, password: string) => Promise<boolean>;

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify<string, Buffer, number, { N: number; r: number; p: number; maxmem: number }, Buffer>(scrypt);

const sameBytes = (expected: Buffer, actual: Buffer): boolean => expected.length === actual.length && timingSafeEqual(expected, actual);

const argon2 =
  (variant: 'argon2id' | 'argon2i' | 'argon2d'): Verifier =>
  async (hash, password) => {
    const read = readArgon2(hash);
    return read.ok && read.value.variant === variant && verifyArgon2(hash, password);
  };

const verifyBcrypt = async (hash: string, password: string): Promise<boolean> => BCRYPT.test(hash) && bcrypt.compare(password, hash);

export const VERIFIERS: Record<StoredPasswordAlgorithm, Verifier> = {
  argon2id: argon2('argon2id'),
  argon2i: argon2('argon2i'),
  argon2d: argon2('argon2d'),
  bcrypt: verifyBcrypt,
  // Django hashes the password to 64 hex characters first, so bcrypt's 72-byte limit never cuts it.
  'bcrypt-sha256': (hash, password) => verifyBcrypt(hash, createHash('sha256').update(password, 'utf8').digest('hex')),
  phpass: async (hash, password) => verifyPhpass(hash, password),
  async pbkdf2(hash, password) {
    const read = readPbkdf2(hash);
    if (!read.ok) return false;
    const { digest, iterations, salt, key } = read.value;
    return sameBytes(key, await pbkdf2Async(password, salt, iterations, key.length, digest));
  },
  async scrypt(hash, password) {
    const read = readScrypt(hash);
    if (!read.ok) return false;
    const { cost, blockSize, parallelization, salt, key } = read.value;
    // Node refuses scrypt above maxmem (32 MiB by default); the stored format caps the need at 256 MiB.
    const maxmem = 128 * cost * blockSize * 2;
    return sameBytes(key, await scryptAsync(password, salt, key.length, { N: cost, r: blockSize, p: parallelization, maxmem }));
  },
  async digest(hash, password) {
    const read = readDigest(hash);
    if (!read.ok) return false;
    const { digest, saltPosition, salt, value } = read.value;
    const secret = Buffer.from(password, 'utf8');
    const parts = saltPosition === 'prefix' ? [salt, secret] : [secret, salt];
    return sameBytes(value, createHash(digest).update(Buffer.concat(parts)).digest());
  },
};

export const isStoredPasswordAlgorithm = (algorithm: string): algorithm is StoredPasswordAlgorithm => Object.hasOwn(VERIFIERS, algorithm);
