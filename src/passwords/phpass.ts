/**
 * PHPass portable hashes (`$P$` in WordPress and phpass, `$H$` in phpBB), written here
 * because no maintained Node package does it: MD5(salt ‖ password), then 2^count times
 * MD5(previous ‖ password), in phpass's own base64. Follows Openwall's PasswordHash.php.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { PHPASS } from './stored-formats.js';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** phpass's base64: little-endian groups of 3 bytes, 6 bits a character, least significant first. */
function encode64(input: Buffer): string {
  let output = '';
  for (let i = 0; i < input.length; i += 3) {
    const chunk = input.subarray(i, i + 3);
    const value = (chunk[0] ?? 0) | ((chunk[1] ?? 0) << 8) | ((chunk[2] ?? 0) << 16);
    // n bytes make n + 1 characters
    for (let c = 0; c <= chunk.length; c++) output += ITOA64[(value >> (6 * c)) & 0x3f];
  }
  return output;
}

export function verifyPhpass(hash: string, password: string): boolean {
  if (!PHPASS.test(hash)) return false;
  const count = 2 ** ITOA64.indexOf(hash.charAt(3));
  const salt = hash.slice(4, 12);
  const secret = Buffer.from(password, 'utf8');
  let digest = createHash('md5').update(salt).update(secret).digest();
  for (let i = 0; i < count; i++) digest = createHash('md5').update(digest).update(secret).digest();
  const expected = Buffer.from(hash.slice(12), 'latin1');
  const actual = Buffer.from(encode64(digest), 'latin1');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
