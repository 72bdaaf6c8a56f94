/**
 * Password hashing. New hashes are argon2id with OWASP's minimum parameters
 * (m=19 MiB, t=2, p=1; ~25 ms here). The algorithm is recorded next to each hash, so
 * hashes brought from other systems (parse-password-hash.ts) are verified the way they
 * were made (verifiers.ts) and replaced by a new argon2id hash on the user's first
 * successful login (`needsRehash`), as are ours once these parameters change.
 */
import { hash, type Algorithm } from '@node-rs/argon2';
import type { StoredPassword } from '../domain/password.js';
import { readArgon2 } from './stored-formats.js';
import { VERIFIERS, isStoredPasswordAlgorithm } from './verifiers.js';

export const PASSWORD_ALGORITHM = 'argon2id';

// Algorithm is an ambient const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
// Stryker disable next-line ObjectLiteral: these equal @node-rs/argon2's defaults today; spelt out so a new default cannot weaken hashes unnoticed
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const ARGON2_VERSION = 19;

export async function hashPassword(password: string): Promise<StoredPassword> {
  return { hash: await hash(password, OPTIONS), algorithm: PASSWORD_ALGORITHM };
}

/** Verifies a password against a stored hash of any algorithm the store may hold; false, never a throw, for a hash it cannot read. */
export async function verifyPassword(stored: StoredPassword, password: string): Promise<boolean> {
  let verified = false;
  try {
    verified = isStoredPasswordAlgorithm(stored.algorithm) && (await VERIFIERS[stored.algorithm](stored.hash, password));
  } catch {
    verified = false;
  }
  // An MD5 answers in microseconds: a wrong password costs at least one argon2
  // verification whatever the account's hash, as an unknown account does (the decoy).
  if (!verified && stored.algorithm !== PASSWORD_ALGORITHM) await verifyAgainstDecoy(password);
  return verified;
}

/** True for every stored password but an argon2id hash with today's parameters: the login that verifies it should replace it. */
export function needsRehash(stored: StoredPassword): boolean {
  if (stored.algorithm !== PASSWORD_ALGORITHM) return true;
  const read = readArgon2(stored.hash);
  if (!read.ok) return true;
  const { variant, version, memoryKiB, time, parallelism } = read.value;
  return !(
    variant === PASSWORD_ALGORITHM &&
    version === ARGON2_VERSION &&
    memoryKiB === OPTIONS.memoryCost &&
    time === OPTIONS.timeCost &&
    parallelism === OPTIONS.parallelism
  );
}

let decoy: Promise<StoredPassword> | undefined;

/**
 * Verifies the password against a hash nobody owns, so an unknown account costs the
 * same time as a wrong password and login timing does not tell which accounts exist.
 */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  // Stryker disable next-line StringLiteral: any text serves as the decoy; only the cost of verifying against it matters
  decoy ??= hashPassword('gatehouse-decoy-password');
  await verifyPassword(await decoy, password);
  return false;
}
