import { describe, expect, it } from 'vitest';
import type { StoredPassword } from '../../src/domain/password.js';
import { parsePasswordHash } from '../../src/passwords/parse-password-hash.js';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from '../../src/passwords/passwords.js';
import { LEGACY_VECTORS } from './legacy-hash-vectors.js';

function parsed(value: unknown): StoredPassword {
  const result = parsePasswordHash(value, 'passwordHash');
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('legacy password hashes, verified natively', () => {
  it.each(LEGACY_VECTORS)('$name: the right password verifies, a wrong one does not', async ({ passwordHash, password }) => {
    const stored = parsed(passwordHash);
    expect(await verifyPassword(stored, password)).toBe(true);
    expect(await verifyPassword(stored, `${password}x`)).toBe(false);
    expect(await verifyPassword(stored, password === '' ? ' ' : password.slice(0, -1))).toBe(false);
  });

  it.each(LEGACY_VECTORS)('$name: needs a re-hash', ({ passwordHash }) => {
    expect(needsRehash(parsed(passwordHash))).toBe(true);
  });

  it('does not verify a hash recorded under another stored algorithm', async () => {
    const bcrypt = parsed({ algorithm: 'bcrypt', hash: '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu' });
    expect(await verifyPassword({ ...bcrypt, algorithm: 'phpass' }, 'correct horse')).toBe(false);
    const argon2i = parsed({ algorithm: 'argon2', hash: '$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8' });
    expect(await verifyPassword({ ...argon2i, algorithm: 'argon2id' }, 'password')).toBe(false);
    expect(await verifyPassword({ ...argon2i, algorithm: 'no-such-algorithm' }, 'password')).toBe(false);
  });

  it('answers false, not an error, for a stored hash it cannot read', async () => {
    for (const algorithm of ['argon2i', 'bcrypt', 'bcrypt-sha256', 'phpass', 'pbkdf2', 'scrypt', 'digest']) {
      expect(await verifyPassword({ algorithm, hash: '$broken$' }, 'password')).toBe(false);
    }
  });

  it('compares the whole digest: a stored digest that differs in its last byte does not verify', async () => {
    // sha256 plain of "correct horse", last byte 31 -> 30
    const stored = parsed({ algorithm: 'sha256', hash: '4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5630' });
    expect(await verifyPassword(stored, 'correct horse')).toBe(false);
  });

  it('puts the salt where saltPosition says', async () => {
    const prefix = { algorithm: 'sha1', hash: '239d315a42de9f06b091ac90535bc6c38c296559', salt: 'pepper1' } as const;
    expect(await verifyPassword(parsed({ ...prefix, saltPosition: 'prefix' }), 'correct horse')).toBe(true);
    expect(await verifyPassword(parsed({ ...prefix, saltPosition: 'suffix' }), 'correct horse')).toBe(false);
  });

  it('gives every wrong password at least the cost of one argon2 verification, however fast the legacy hash', async () => {
    const md5 = parsed({ algorithm: 'md5', hash: '3cb4e732631f47e6eb961f34554b7cde' });
    const timed = async (work: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await work();
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[2] ?? 0;
    };
    await verifyAgainstDecoy('warm-up'); // the decoy hash is made once, on first use
    const decoyMs = await timed(() => verifyAgainstDecoy('wrong'));
    const wrongMs = await timed(() => verifyPassword(md5, 'wrong'));
    // an MD5 alone takes microseconds, the decoy's argon2 (m=19 MiB) milliseconds
    expect(wrongMs).toBeGreaterThan(decoyMs * 0.3);
  });
});

describe('needsRehash', () => {
  it('is false only for our own argon2id with today\'s parameters', async () => {
    expect(needsRehash(await hashPassword('anything'))).toBe(false);
  });

  it('is true for argon2id with other parameters, another version, or a broken string', () => {
    const ours = (parameters: string, version = 'v=19$') => ({ algorithm: 'argon2id', hash: `$argon2id$${version}${parameters}$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4` });
    expect(needsRehash(ours('m=19456,t=2,p=1'))).toBe(false);
    expect(needsRehash(ours('m=19456,t=2,p=1', ''))).toBe(true);
    expect(needsRehash(ours('m=65536,t=2,p=1'))).toBe(true);
    expect(needsRehash(ours('m=19456,t=3,p=1'))).toBe(true);
    expect(needsRehash(ours('m=19456,t=2,p=2'))).toBe(true);
    expect(needsRehash({ algorithm: 'argon2id', hash: 'not-a-hash' })).toBe(true);
    expect(needsRehash({ algorithm: 'argon2i', hash: ours('m=19456,t=2,p=1').hash.replace('argon2id', 'argon2i') })).toBe(true);
  });
});
