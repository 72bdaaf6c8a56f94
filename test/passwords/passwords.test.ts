import { describe, expect, it } from 'vitest';
import { PASSWORD_ALGORITHM, hashPassword, verifyAgainstDecoy, verifyPassword } from '../../src/passwords/passwords.js';

describe('password hashing', () => {
  it('hashes new passwords with argon2id at OWASP\'s minimum parameters (m=19 MiB, t=2, p=1), salted', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first.algorithm).toBe('argon2id');
    expect(PASSWORD_ALGORITHM).toBe('argon2id');
    expect(first.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first.hash).not.toContain('correct horse');
    expect(second.hash).not.toBe(first.hash);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('right-password');
    expect(await verifyPassword(stored, 'right-password')).toBe(true);
    expect(await verifyPassword(stored, 'wrong-password')).toBe(false);
    expect(await verifyPassword(stored, '')).toBe(false);
  });

  it('refuses a hash recorded under another algorithm, even when the hash itself would match', async () => {
    const stored = await hashPassword('right-password');
    expect(await verifyPassword({ ...stored, algorithm: 'bcrypt' }, 'right-password')).toBe(false);
  });

  it('answers false, not an error, for a hash that is not an argon2 hash', async () => {
    expect(await verifyPassword({ algorithm: PASSWORD_ALGORITHM, hash: 'not-a-hash' }, 'anything')).toBe(false);
  });

  it('answers false from the decoy whatever the password, even the decoy\'s own', async () => {
    expect(await verifyAgainstDecoy('anything')).toBe(false);
    expect(await verifyAgainstDecoy('gatehouse-decoy-password')).toBe(false);
  });

  it('spends about one argon2 verification on the decoy, so an unknown account costs what a wrong password costs', async () => {
    const stored = await hashPassword('right-password');
    await verifyAgainstDecoy('warm-up'); // the decoy hash is made once, on first use
    const median = async (work: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        await work();
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[3] ?? 0;
    };
    const verifyMs = await median(() => verifyPassword(stored, 'wrong-password'));
    const decoyMs = await median(() => verifyAgainstDecoy('wrong-password'));
    expect(decoyMs).toBeGreaterThan(verifyMs * 0.3);
    expect(decoyMs).toBeLessThan(verifyMs * 3);
  });
});
