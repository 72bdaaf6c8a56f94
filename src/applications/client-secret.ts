/**
 * Client secrets: 256 random bits, shown once, kept as a SHA-256 hash. A slow password
 * hash buys nothing for a secret this long (nobody can guess it), and SHA-256 keeps the
 * token endpoint fast. Checked in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256:';

export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashClientSecret(secret: string): string {
  return PREFIX + createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function clientSecretMatches(presented: string, storedHash: string | null): boolean {
  if (storedHash === null || !storedHash.startsWith(PREFIX)) return false;
  const expected = Buffer.from(storedHash.slice(PREFIX.length), 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
