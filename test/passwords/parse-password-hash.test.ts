import { describe, expect, it } from 'vitest';
import { parsePasswordHash } from '../../src/passwords/parse-password-hash.js';
import { parseAuth0PasswordHash } from '../../src/passwords/auth0-password-hash.js';
import { LEGACY_VECTORS } from './legacy-hash-vectors.js';

const message = (value: unknown, field = 'passwordHash') => {
  const parsed = parsePasswordHash(value, field);
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed.value)}`);
  expect(parsed.error.code).toBe('VALIDATION_ERROR');
  return parsed.error.message;
};

describe('parsePasswordHash: every format', () => {
  it.each(LEGACY_VECTORS)('accepts $name and records it as $stored', ({ passwordHash, stored }) => {
    const parsed = parsePasswordHash(passwordHash, 'passwordHash');
    expect(parsed).toMatchObject({ ok: true, value: { algorithm: stored } });
  });

  it('keeps bcrypt, argon2 and phpass strings as their systems wrote them', () => {
    for (const vector of LEGACY_VECTORS.filter((v) => ['bcrypt', 'argon2', 'phpass'].includes(v.passwordHash.algorithm))) {
      const parsed = parsePasswordHash(vector.passwordHash, 'passwordHash');
      expect(parsed.ok && parsed.value.hash).toBe(vector.passwordHash.hash);
    }
  });

  it('writes PBKDF2 from parameters, from Auth0\'s PHC form, from passlib\'s and from Django\'s as one canonical PHC string', () => {
    const canonical = parsePasswordHash({ algorithm: 'pbkdf2', hash: '0c60c80f961f0e71f3a9b524af6012062fe037a6', salt: 'salt', iterations: 1, digest: 'sha1' }, 'p');
    // RFC 6070's first vector, salt "salt" = c2FsdA, key 0c60c8… in B64 without padding
    expect(canonical).toEqual({ ok: true, value: { algorithm: 'pbkdf2', hash: '$pbkdf2-sha1$i=1$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y' } });
    const auth0 = parsePasswordHash({ algorithm: 'pbkdf2', hash: '$pbkdf2-sha1$i=1,l=20$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y' }, 'p');
    const passlib = parsePasswordHash({ algorithm: 'pbkdf2', hash: '$pbkdf2$1$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y' }, 'p');
    expect(auth0).toEqual(canonical);
    expect(passlib).toEqual(canonical);
    const django = parsePasswordHash({ algorithm: 'django', hash: 'pbkdf2_sha1$1$salt$DGDID5YfDnHzqbUkr2ASBi/gN6Y=' }, 'p');
    expect(django).toEqual(canonical);
  });

  it('writes scrypt with N as its logarithm, salts and keys in B64, whatever encodings came in', () => {
    const parsed = parsePasswordHash(
      { algorithm: 'scrypt', hash: 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640', salt: 'NaCl', cost: 1024, parallelization: 16 },
      'p',
    );
    expect(parsed).toEqual({
      ok: true,
      value: { algorithm: 'scrypt', hash: '$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA' } },
    );
  });

  it('writes salted digests and LDAP values with the salt\'s position, so {SSHA} becomes a SHA-1 with the salt after the password', () => {
    expect(parsePasswordHash({ algorithm: 'ldap', hash: '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' }, 'p')).toEqual({
      ok: true,
      value: { algorithm: 'digest', hash: '$sha1$pos=prefix$$W6ph5Mm5Pz8GgiULbPgzG37mj9g' },
    });
    expect(parsePasswordHash({ algorithm: 'ldap', hash: '{SSHA}KJ3JGsRAF0vfVIXKE1ZcDIJyLS9e7VoXEMD/7g==' }, 'p')).toEqual({
      ok: true,
      value: { algorithm: 'digest', hash: '$sha1$pos=suffix$Xu1aFxDA/+4$KJ3JGsRAF0vfVIXKE1ZcDIJyLS8' },
    });
    expect(parsePasswordHash({ algorithm: 'md5', hash: 'c4a1aad3bffbc17bd1415901841ac183', salt: 'pepper1', saltPosition: 'prefix' }, 'p')).toEqual({
      ok: true,
      value: { algorithm: 'digest', hash: '$md5$pos=prefix$cGVwcGVyMQ$xKGq07/7wXvRQVkBhBrBgw' },
    });
  });

  it('reads {ssha} in any case, as LDAP servers do', () => {
    expect(parsePasswordHash({ algorithm: 'ldap', hash: '{ssha}KJ3JGsRAF0vfVIXKE1ZcDIJyLS9e7VoXEMD/7g==' }, 'p').ok).toBe(true);
  });
});

describe('parsePasswordHash: bad input names the field', () => {
  it('refuses what is not an object', () => {
    expect(message('bcrypt', 'line 3: passwordHash')).toBe('line 3: passwordHash: must be an object');
    expect(message(null)).toBe('passwordHash: must be an object');
    expect(message([])).toBe('passwordHash: must be an object');
  });

  it('refuses a missing or unknown algorithm and a missing or empty hash', () => {
    expect(message({ hash: 'x' })).toBe('passwordHash.algorithm: required');
    expect(message({ algorithm: 'foo', hash: 'x' })).toMatch(/^passwordHash\.algorithm: unknown algorithm "foo" \(one of bcrypt, argon2, /);
    expect(message({ algorithm: 'bcrypt' })).toBe('passwordHash.hash: required');
    expect(message({ algorithm: 'bcrypt', hash: '' })).toBe('passwordHash.hash: must not be empty');
    expect(message({ algorithm: 'bcrypt', hash: 42 })).toBe('passwordHash.hash: must be a string');
  });

  it('refuses unknown fields, fields of the wrong type, and fields the algorithm does not use', () => {
    const bcrypt = '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu';
    expect(message({ algorithm: 'bcrypt', hash: bcrypt, rounds: 10 })).toBe('passwordHash.rounds: unknown field');
    expect(message({ algorithm: 'bcrypt', hash: bcrypt, salt: 'x' })).toMatch(/^passwordHash\.salt: not used with bcrypt/);
    expect(message({ algorithm: 'sha1', hash: 'ab', iterations: 2 })).toMatch(/^passwordHash\.iterations: not used with sha1/);
    expect(message({ algorithm: 'pbkdf2', hash: 'ab', salt: 's', iterations: '1000', digest: 'sha1' })).toBe('passwordHash.iterations: must be a positive integer');
    expect(message({ algorithm: 'pbkdf2', hash: 'ab', salt: 's', iterations: 1.5, digest: 'sha1' })).toBe('passwordHash.iterations: must be a positive integer');
    expect(message({ algorithm: 'pbkdf2', hash: 'ab', salt: 's', iterations: 1, digest: 'md4' })).toBe('passwordHash.digest: must be one of sha1, sha256, sha512');
    expect(message({ algorithm: 'md5', hash: 'ab', salt: 's', saltPosition: 'middle' })).toBe('passwordHash.saltPosition: must be one of prefix, suffix');
    expect(message({ algorithm: 'md5', hash: 'ab', encoding: 'utf8' })).toBe('passwordHash.encoding: must be one of hex, base64');
  });

  it.each([
    ['bcrypt', { algorithm: 'bcrypt', hash: '$2x$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu' }, /^passwordHash\.hash: not a bcrypt hash/],
    ['bcrypt, short', { algorithm: 'bcrypt', hash: '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5q' }, /^passwordHash\.hash: not a bcrypt hash/],
    ['bcrypt, cost 3', { algorithm: 'bcrypt', hash: '$2b$03$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu' }, /^passwordHash\.hash: not a bcrypt hash/],
    ['argon2', { algorithm: 'argon2', hash: '$argon2x$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4' }, /^passwordHash\.hash: not an argon2 PHC string/],
    ['argon2, huge memory', { algorithm: 'argon2', hash: '$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4' }, /^passwordHash\.hash: argon2 m must be/],
    ['argon2, bad salt', { algorithm: 'argon2', hash: '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhb$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4' }, /^passwordHash\.hash: /],
    ['phpass', { algorithm: 'phpass', hash: '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L' }, /^passwordHash\.hash: not a phpass hash/],
    ['phpass, count out of range', { algorithm: 'phpass', hash: '$P$zIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0' }, /^passwordHash\.hash: not a phpass hash/],
    ['django, unknown hasher', { algorithm: 'django', hash: 'unsalted_md5$$5f4dcc3b5aa765d61d8327deb882cf99' }, /^passwordHash\.hash: not a Django hash/],
    ['django pbkdf2, missing part', { algorithm: 'django', hash: 'pbkdf2_sha256$1000$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso=' }, /^passwordHash\.hash: not a Django pbkdf2_sha256 hash/],
    ['django bcrypt_sha256, bad bcrypt', { algorithm: 'django', hash: 'bcrypt_sha256$$2b$05$short' }, /^passwordHash\.hash: not a Django bcrypt_sha256 hash/],
    ['ldap, unknown scheme', { algorithm: 'ldap', hash: '{CRYPT}abJnggxhB/yWI' }, /^passwordHash\.hash: not an LDAP hash/],
    ['ldap {SSHA} without salt', { algorithm: 'ldap', hash: '{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' }, /^passwordHash\.hash: an LDAP \{SSHA\} value must have more than 20 bytes/],
    ['ldap {SHA}, not base64', { algorithm: 'ldap', hash: '{SHA}W6ph5Mm5Pz8GgiULb*gzG37mj9g=' }, /^passwordHash\.hash: not an LDAP hash/],
    ['sha256, wrong length', { algorithm: 'sha256', hash: '2f9e53523b62abc141a2b4d6019d23cba835dbd0' }, /^passwordHash\.hash: a sha256 digest has 32 bytes, not 20/],
    ['md5, not hex', { algorithm: 'md5', hash: 'R+jzdxtNGFjlgFRJdk5QvQ==' }, /^passwordHash\.hash: not a hex md5 digest \(encoding: hex, the default\)/],
    ['sha1, not base64', { algorithm: 'sha1', hash: 'llXYYWAH8bXivSk70cjSqFXOak!=', encoding: 'base64' }, /^passwordHash\.hash: not a base64 sha1 digest/],
    ['sha1, salt without position', { algorithm: 'sha1', hash: '239d315a42de9f06b091ac90535bc6c38c296559', salt: 'pepper1' }, /^passwordHash\.saltPosition: required with a salt/],
    ['sha1, salt not hex', { algorithm: 'sha1', hash: '239d315a42de9f06b091ac90535bc6c38c296559', salt: 'xyz', saltEncoding: 'hex', saltPosition: 'prefix' }, /^passwordHash\.salt: not hex/],
    ['pbkdf2 PHC, unknown digest', { algorithm: 'pbkdf2', hash: '$pbkdf2-md5$i=1$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y' }, /^passwordHash\.hash: not a PBKDF2 PHC string/],
    ['pbkdf2 PHC, wrong l=', { algorithm: 'pbkdf2', hash: '$pbkdf2-sha1$i=1,l=32$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y' }, /^passwordHash\.hash: the PBKDF2 key has 20 bytes, not l=32/],
    ['pbkdf2 PHC, no iterations', { algorithm: 'pbkdf2', hash: '$pbkdf2-sha1$l=20$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y' }, /^passwordHash\.hash: PBKDF2 parameters must be/],
    ['pbkdf2 PHC with separate fields', { algorithm: 'pbkdf2', hash: '$pbkdf2-sha1$i=1$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y', iterations: 1 }, /^passwordHash\.iterations: not used with a PHC string/],
    ['pbkdf2 without salt', { algorithm: 'pbkdf2', hash: '0c60c80f961f0e71f3a9b524af6012062fe037a6', iterations: 1, digest: 'sha1' }, /^passwordHash\.salt: required/],
    ['pbkdf2 without iterations', { algorithm: 'pbkdf2', hash: '0c60c80f961f0e71f3a9b524af6012062fe037a6', salt: 'salt', digest: 'sha1' }, /^passwordHash\.iterations: required/],
    ['pbkdf2 without digest', { algorithm: 'pbkdf2', hash: '0c60c80f961f0e71f3a9b524af6012062fe037a6', salt: 'salt', iterations: 1 }, /^passwordHash\.digest: required/],
    ['pbkdf2, too many iterations', { algorithm: 'pbkdf2', hash: '0c60c80f961f0e71f3a9b524af6012062fe037a6', salt: 'salt', iterations: 20_000_000, digest: 'sha1' }, /^passwordHash\.iterations: PBKDF2 iterations must be between 1 and 10000000/],
    ['pbkdf2, key length mismatch', { algorithm: 'pbkdf2', hash: '0c60c80f961f0e71f3a9b524af6012062fe037a6', salt: 'salt', iterations: 1, digest: 'sha1', keyLength: 32 }, /^passwordHash\.keyLength: the hash has 20 bytes, not 32/],
    ['scrypt PHC, bad parameters', { algorithm: 'scrypt', hash: '$scrypt$n=1024,r=8,p=2$TmFDbE5hQ2xOYUNsTmFDbA$fAclnpOjj8yITQw/RzZSGDuhVLpLgy7/qW+9ZT9w3P4' }, /^passwordHash\.hash: scrypt parameters must be/],
    ['scrypt, cost not a power of 2', { algorithm: 'scrypt', hash: '7023bdcb3afd7348', salt: 'SodiumChloride', cost: 1000 }, /^passwordHash\.cost: the scrypt cost \(N\) must be a power of 2/],
    ['scrypt, too much memory', { algorithm: 'scrypt', hash: '7023bdcb3afd7348', salt: 'SodiumChloride', cost: 1048576 }, /^passwordHash\.cost: the scrypt parameters need more than 256 MiB/],
    ['scrypt, parallelization too high', { algorithm: 'scrypt', hash: '7023bdcb3afd7348', salt: 'SodiumChloride', parallelization: 64 }, /^passwordHash\.parallelization: /],
    ['scrypt without salt', { algorithm: 'scrypt', hash: '7023bdcb3afd7348' }, /^passwordHash\.salt: required/],
  ])('refuses a malformed %s hash', (_name, value, expected) => {
    expect(message(value)).toMatch(expected);
  });

  it('never quotes the hash or the salt in a message', () => {
    const secretish = 'c4a1aad3bffbc17bd1415901841ac18';
    expect(message({ algorithm: 'md5', hash: secretish, salt: 'pepper1', saltPosition: 'prefix' })).not.toContain(secretish);
    expect(message({ algorithm: 'md5', hash: secretish, salt: 'pepper1', saltPosition: 'prefix' })).not.toContain('pepper1');
    expect(message({ algorithm: 'bcrypt', hash: '$2b$05$notreallyabcrypthash' })).not.toContain('notreally');
  });
});

describe('parseAuth0PasswordHash', () => {
  it('reads password_hash as bcrypt', () => {
    const hash = '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu';
    expect(parseAuth0PasswordHash({ email: 'a@example.com', password_hash: hash })).toEqual({ ok: true, value: { algorithm: 'bcrypt', hash } });
  });

  it('answers null for a line without a password', () => {
    expect(parseAuth0PasswordHash({ email: 'a@example.com' })).toEqual({ ok: true, value: null });
  });

  it('reads custom_password_hash for digests, with Auth0\'s hash and salt objects', () => {
    const line = {
      email: 'a@example.com',
      custom_password_hash: {
        algorithm: 'sha256',
        hash: { value: 'xUGUOMUJRbhbq7oSgl6oFkOqYWUJ/82SmrEpPeJ/SO4=', encoding: 'base64' },
        salt: { value: '0badc0de', encoding: 'hex', position: 'suffix' },
      },
    };
    const direct = parsePasswordHash(
      { algorithm: 'sha256', hash: 'xUGUOMUJRbhbq7oSgl6oFkOqYWUJ/82SmrEpPeJ/SO4=', encoding: 'base64', salt: '0badc0de', saltEncoding: 'hex', saltPosition: 'suffix' },
      'p',
    );
    expect(parseAuth0PasswordHash(line)).toEqual(direct);
  });

  it('reads custom_password_hash for PHC strings (pbkdf2, argon2), bcrypt and ldap with hash.encoding utf8', () => {
    const cases = [
      ['pbkdf2', '$pbkdf2-sha256$i=2000,l=32$c2FsdHNhbHQxMjM0NTY3OA$Ekoa5eNT1EEpNjsDorGUoxjMj/vnmUL/TQ+TWy4stfo', 'pbkdf2'],
      ['argon2', '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4', 'argon2id'],
      ['bcrypt', '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu', 'bcrypt'],
      ['ldap', '{SSHA}KJ3JGsRAF0vfVIXKE1ZcDIJyLS9e7VoXEMD/7g==', 'digest'],
    ] as const;
    for (const [algorithm, value, stored] of cases) {
      const parsed = parseAuth0PasswordHash({ custom_password_hash: { algorithm, hash: { value, encoding: 'utf8' } } });
      expect(parsed).toMatchObject({ ok: true, value: { algorithm: stored } });
    }
  });

  it('reads custom_password_hash for scrypt with keylen, cost, blockSize and parallelization', () => {
    const parsed = parseAuth0PasswordHash({
      custom_password_hash: {
        algorithm: 'scrypt',
        hash: { value: '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887', encoding: 'hex' },
        salt: { value: 'SodiumChloride', encoding: 'utf8' },
        keylen: 64,
        cost: 16384,
        blockSize: 8,
        parallelization: 1,
      },
    });
    expect(parsed).toMatchObject({ ok: true, value: { algorithm: 'scrypt', hash: expect.stringMatching(/^\$scrypt\$ln=14,r=8,p=1\$/) } });
  });

  it('names Auth0\'s fields in its messages', () => {
    const failure = (line: unknown, field?: string) => {
      const parsed = parseAuth0PasswordHash(line, field);
      return parsed.ok ? 'ok' : parsed.error.message;
    };
    expect(failure({ password_hash: 'nope' }, 'line 4')).toMatch(/^line 4: password_hash: not a bcrypt hash/);
    expect(failure({ password_hash: '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu', custom_password_hash: {} })).toBe(
      'custom_password_hash: not allowed together with password_hash',
    );
    expect(failure({ custom_password_hash: { algorithm: 'hmac', hash: { value: 'ab' } } })).toBe('custom_password_hash.algorithm: hmac hashes cannot be imported here');
    expect(failure({ custom_password_hash: { algorithm: 'rot13', hash: { value: 'ab' } } })).toMatch(/^custom_password_hash\.algorithm: unknown algorithm "rot13"/);
    expect(failure({ custom_password_hash: { algorithm: 'md5', hash: { value: 'zz', encoding: 'hex' } } })).toMatch(/^custom_password_hash\.hash\.value: not a hex md5 digest/);
    expect(failure({ custom_password_hash: { algorithm: 'md5', hash: { value: 'ab', encoding: 'utf8' } } })).toBe('custom_password_hash.hash.encoding: must be one of hex, base64');
    expect(failure({ custom_password_hash: { algorithm: 'md5', hash: { value: 'c4a1aad3bffbc17bd1415901841ac183', encoding: 'hex' }, salt: { value: 'pepper1' } } })).toMatch(
      /^custom_password_hash\.salt\.position: required with a salt/,
    );
    expect(failure({ custom_password_hash: { algorithm: 'bcrypt', hash: { value: 'x', encoding: 'base64' } } })).toBe('custom_password_hash.hash.encoding: must be utf8 with bcrypt');
    expect(failure({ custom_password_hash: { algorithm: 'md5', hash: { value: 'ab' }, password: { encoding: 'utf16le' } } })).toBe(
      'custom_password_hash.password.encoding: only utf8 passwords can be imported',
    );
    expect(failure({ custom_password_hash: { algorithm: 'scrypt', hash: { value: 'ab', encoding: 'hex' }, salt: { value: 's' }, keylen: 64 } })).toMatch(
      /^custom_password_hash\.keylen: the hash has 1 bytes, not 64/,
    );
    expect(failure({ custom_password_hash: 'md5' })).toBe('custom_password_hash: must be an object');
    expect(failure({ custom_password_hash: { algorithm: 'md5', hash: 'ab' } })).toMatch(/^custom_password_hash\.hash: must be an object/);
  });
});
