/**
 * Password hashing. New hashes are argon2id with OWASP's minimum parameters
 * (m=19 MiB, t=2, p=1; ~25 ms here). The algorithm is recorded next to each hash so a
 * later parameter or algorithm change can verify old hashes and re-hash on login.
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { StoredPassword } from '../domain/password.js';

export const PASSWORD_ALGORITHM = 'argon2id';

// Algorithm is an ambient const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
// Stryker disable next-line ObjectLiteral: these equal @node-rs/argon2's defaults today; spelt out so a new default cannot weaken hashes unnoticed
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<StoredPassword> {
  return { hash: await hash(password, OPTIONS), algorithm: PASSWORD_ALGORITHM };
}

export async function verifyPassword(stored: StoredPassword, password: string): Promise<boolean> {
  if (stored.algorithm !== PASSWORD_ALGORITHM) return false;
  try {
    return await verify(stored.hash, password);
  } catch {
    return false;
  }
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
