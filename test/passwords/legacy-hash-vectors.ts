/**
 * Password hashes made by implementations other than ours, each with its password, as the
 * API's `passwordHash` object. Where a vector is published, its source is named; the rest
 * were made for these tests on this machine with Python 3.11's hashlib and crypt (glibc's
 * libxcrypt for bcrypt) by /tmp scripts reproduced in the comments, never with our code.
 */
import type { PasswordHashInput } from '../../src/domain/password.js';

export interface LegacyVector {
  name: string;
  passwordHash: PasswordHashInput;
  password: string;
  /** the algorithm the store records for it */
  stored: string;
}

/** The password of every vector made here: `pw = 'correct horse'`. */
const MADE_HERE = 'correct horse';

export const LEGACY_VECTORS: LegacyVector[] = [
  // crypt.crypt(pw, '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2e') and likewise for $2a$ and $2y$ (libxcrypt)
  { name: 'bcrypt $2b$', stored: 'bcrypt', password: MADE_HERE, passwordHash: { algorithm: 'bcrypt', hash: '$2b$05$k5YqHhtZ3ZCSBd8dD0tM2eFUa5l.H3.DM82nuWL/3qHPlzQZ7A5qu' } },
  { name: 'bcrypt $2a$', stored: 'bcrypt', password: MADE_HERE, passwordHash: { algorithm: 'bcrypt', hash: '$2a$05$Ahl7oBqgQcV8sO3lwc6AdeOWWrICQPatqclmGOsovTfZjtekjGFCu' } },
  { name: 'bcrypt $2y$', stored: 'bcrypt', password: MADE_HERE, passwordHash: { algorithm: 'bcrypt', hash: '$2y$05$Xw9rB1lJmQ.3xqP4tWYb0unHwQoJXHcTJ74QcUNVx/a3jJvlNH/3K' } },

  // The Argon2 reference implementation's test vectors (phc-winner-argon2 src/test.c, also checked by libar2's test suite)
  { name: 'argon2id (reference, m=64 MiB)', stored: 'argon2id', password: 'password', passwordHash: { algorithm: 'argon2', hash: '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc' } },
  { name: 'argon2id (reference, m=256 KiB, p=2)', stored: 'argon2id', password: 'password', passwordHash: { algorithm: 'argon2', hash: '$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc' } },
  { name: 'argon2i v=19 (reference)', stored: 'argon2i', password: 'password', passwordHash: { algorithm: 'argon2', hash: '$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8' } },
  { name: 'argon2i v=16, no v= (reference)', stored: 'argon2i', password: 'password', passwordHash: { algorithm: 'argon2', hash: '$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY' } },
  { name: 'argon2d (libar2 test suite, empty password)', stored: 'argon2d', password: '', passwordHash: { algorithm: 'argon2', hash: '$argon2d$v=16$m=8,t=1,p=1$ICAgICAgICA$X54KZYxUSfMUihzebb70sKbheabHilo8gsUldrVU4IU' } },

  // RFC 7914 section 12, second vector: P="pleaseletmein", S="SodiumChloride", N=16384, r=8, p=1, dkLen=64
  {
    name: 'scrypt parameters (RFC 7914)',
    stored: 'scrypt',
    password: 'pleaseletmein',
    passwordHash: {
      algorithm: 'scrypt',
      hash: '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
      salt: 'SodiumChloride',
      cost: 16384,
      blockSize: 8,
      parallelization: 1,
      keyLength: 64,
    },
  },
  // RFC 7914 section 12, first vector: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64, salt in hex, key in base64
  {
    name: 'scrypt parameters, hex salt, base64 key (RFC 7914)',
    stored: 'scrypt',
    password: 'password',
    passwordHash: {
      algorithm: 'scrypt',
      hash: '/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA==',
      encoding: 'base64',
      salt: '4e61436c',
      saltEncoding: 'hex',
      cost: 1024,
      parallelization: 16,
    },
  },
  // hashlib.scrypt(pw, salt=b'NaClNaClNaClNaCl', n=1024, r=8, p=2, dklen=32), as a PHC string
  { name: 'scrypt PHC string', stored: 'scrypt', password: MADE_HERE, passwordHash: { algorithm: 'scrypt', hash: '$scrypt$ln=10,r=8,p=2$TmFDbE5hQ2xOYUNsTmFDbA$fAclnpOjj8yITQw/RzZSGDuhVLpLgy7/qW+9ZT9w3P4' } },

  // RFC 6070: PBKDF2-HMAC-SHA1, P="password", S="salt", c=4096, dkLen=20; and c=4096, dkLen=25 with the long P and S
  { name: 'pbkdf2 sha1 (RFC 6070)', stored: 'pbkdf2', password: 'password', passwordHash: { algorithm: 'pbkdf2', hash: '4b007901b765489abead49d926f721d065a429c1', salt: 'salt', iterations: 4096, digest: 'sha1' } },
  {
    name: 'pbkdf2 sha1, 25-byte key (RFC 6070)',
    stored: 'pbkdf2',
    password: 'passwordPASSWORDpassword',
    passwordHash: { algorithm: 'pbkdf2', hash: '3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038', salt: 'saltSALTsaltSALTsaltSALTsaltSALTsalt', iterations: 4096, digest: 'sha1', keyLength: 25 },
  },
  // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64
  {
    name: 'pbkdf2 sha256 (RFC 7914)',
    stored: 'pbkdf2',
    password: 'passwd',
    passwordHash: {
      algorithm: 'pbkdf2',
      hash: '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
      salt: 'salt',
      iterations: 1,
      digest: 'sha256',
    },
  },
  // hashlib.pbkdf2_hmac('sha512', pw, bytes.fromhex('a1b2c3d4e5f60718'), 2000).hex()
  {
    name: 'pbkdf2 sha512, hex salt',
    stored: 'pbkdf2',
    password: MADE_HERE,
    passwordHash: {
      algorithm: 'pbkdf2',
      hash: 'e5b368914fbc9f141336a8a6c4c08b0208149dfcb44a0ee63a616704111a573a75c51fb3fb48f6269599186bc4805c1054ab9a1534d8caa2ed873a8f8bdff7b7',
      salt: 'a1b2c3d4e5f60718',
      saltEncoding: 'hex',
      iterations: 2000,
      digest: 'sha512',
    },
  },
  // Auth0's PHC form: '$pbkdf2-sha256$i=2000,l=32$' + b64(salt) + '$' + b64(pbkdf2_hmac('sha256', pw, b'saltsalt12345678', 2000)), no padding
  { name: 'pbkdf2 PHC string (Auth0 form)', stored: 'pbkdf2', password: MADE_HERE, passwordHash: { algorithm: 'pbkdf2', hash: '$pbkdf2-sha256$i=2000,l=32$c2FsdHNhbHQxMjM0NTY3OA$Ekoa5eNT1EEpNjsDorGUoxjMj/vnmUL/TQ+TWy4stfo' } },
  // passlib's form: rounds bare, '.' for '+': salt bytes fb ef be '0123456789'
  { name: 'pbkdf2 PHC string (passlib form)', stored: 'pbkdf2', password: MADE_HERE, passwordHash: { algorithm: 'pbkdf2', hash: '$pbkdf2-sha256$2000$....MDEyMzQ1Njc4OQ$1SkZQkaRkVs/78G7nWhzudhmKtoo1KN5dz/pRJoKSrQ' } },
  { name: 'pbkdf2 PHC string (passlib $pbkdf2$ = SHA-1)', stored: 'pbkdf2', password: MADE_HERE, passwordHash: { algorithm: 'pbkdf2', hash: '$pbkdf2$1500$YWJjZGVmZ2hpamts$yfj0Ojuw8+kIxZlgu3TWCkGhb6I' } },

  // The phpass test (Openwall's test.php / passlib's phpass_test): 'test12345'; phpBB's $H$ from passlib's known_correct_hashes
  { name: 'phpass $P$ (Openwall test vector)', stored: 'phpass', password: 'test12345', passwordHash: { algorithm: 'phpass', hash: '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0' } },
  { name: 'phpass $H$ (phpBB, passlib test vector)', stored: 'phpass', password: 'test1', passwordHash: { algorithm: 'phpass', hash: '$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00' } },

  // Django's formats, made with hashlib/crypt the way Django's hashers do (django/contrib/auth/hashers.py):
  // 'pbkdf2_sha256$1000$seasalt$' + b64(pbkdf2_hmac('sha256', pw, b'seasalt', 1000))
  { name: 'django pbkdf2_sha256', stored: 'pbkdf2', password: MADE_HERE, passwordHash: { algorithm: 'django', hash: 'pbkdf2_sha256$1000$seasalt$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso=' } },
  { name: 'django pbkdf2_sha1', stored: 'pbkdf2', password: MADE_HERE, passwordHash: { algorithm: 'django', hash: 'pbkdf2_sha1$1000$seasalt$iQvkNOF1wEL4Khh8eogJ8rUhipM=' } },
  // 'argon2' + the reference implementation's PHC string, as Django's Argon2PasswordHasher writes it
  { name: 'django argon2', stored: 'argon2id', password: 'password', passwordHash: { algorithm: 'django', hash: 'argon2$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4' } },
  // 'bcrypt_sha256$' + crypt.crypt(sha256(pw).hexdigest(), '$2b$05$Pq3rS7tUvWxYz0aBcDeFgu')
  { name: 'django bcrypt_sha256', stored: 'bcrypt-sha256', password: MADE_HERE, passwordHash: { algorithm: 'django', hash: 'bcrypt_sha256$$2b$05$Pq3rS7tUvWxYz0aBcDeFguEFwDuZhYmOA0ivMJLtVLs0C/VpySJoO' } },
  { name: 'django bcrypt', stored: 'bcrypt', password: MADE_HERE, passwordHash: { algorithm: 'django', hash: 'bcrypt$$2b$05$Lm3rS7tUvWxYz0aBcDeFguCIF8tbweYCqM7gUsLK6f8r/aE2oxdl.' } },
  // 'scrypt$16384$seasalt$8$1$' + b64(hashlib.scrypt(pw, salt=b'seasalt', n=16384, r=8, p=1, dklen=64))
  {
    name: 'django scrypt',
    stored: 'scrypt',
    password: MADE_HERE,
    passwordHash: { algorithm: 'django', hash: 'scrypt$16384$seasalt$8$1$WHJS3/wrzhi2rYiZ44/lAqpycQxKRPVfHXMQFxWIaII7u1p+2cO61B97UL7OFL5ZSWsnhfwdgsItJJ6HcrHG4Q==' },
  },
  // 'sha1$seasalt$' + sha1(b'seasalt' + pw).hexdigest(), and md5 likewise (Django's old salted hashers)
  { name: 'django sha1', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'django', hash: 'sha1$seasalt$55eef163bf2e349b9946e3183eef620dde0247f5' } },
  { name: 'django md5', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'django', hash: 'md5$seasalt$b614725f4cc025a51ab6a354d12890ab' } },

  // LDAP (RFC 2307 userPassword as OpenLDAP's slappasswd writes it): '{SSHA}' + b64(sha1(pw + salt) + salt), salt 5eed5a1710c0ffee
  { name: 'ldap {SSHA}', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'ldap', hash: '{SSHA}KJ3JGsRAF0vfVIXKE1ZcDIJyLS9e7VoXEMD/7g==' } },
  { name: 'ldap {SSHA256}', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'ldap', hash: '{SSHA256}9zCyjHq2Wmk/KMX4VEaz6p3RFyCRR6OcjvlOqFqjQLRe7VoXEMD/7g==' } },
  {
    name: 'ldap {SSHA512}',
    stored: 'digest',
    password: MADE_HERE,
    passwordHash: { algorithm: 'ldap', hash: '{SSHA512}oUBoVxTm1gSeIoZPFt0Owt7Qa96YSuMny/fFYkYZkJN/0qlq5//7aQeo93smSV/fLvzwY1HgjAPu+EG5lGVOgl7tWhcQwP/u' },
  },
  { name: 'ldap {SMD5}', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'ldap', hash: '{SMD5}exX4p0q+AIiw6MUAaqTcZ17tWhcQwP/u' } },
  // {SHA} of "password": the example in countless LDAP guides
  { name: 'ldap {SHA}', stored: 'digest', password: 'password', passwordHash: { algorithm: 'ldap', hash: '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' } },

  // Plain and salted digests: hashlib.new(d, pw).hexdigest(); hashlib.new(d, b'pepper1' + pw).hexdigest(); b64(hashlib.new(d, pw + bytes.fromhex('0badc0de')).digest())
  { name: 'md5 plain', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'md5', hash: '3cb4e732631f47e6eb961f34554b7cde' } },
  { name: 'md5 salt prefix', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'md5', hash: 'c4a1aad3bffbc17bd1415901841ac183', salt: 'pepper1', saltPosition: 'prefix' } },
  { name: 'md5 salt suffix, base64', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'md5', hash: 'R+jzdxtNGFjlgFRJdk5QvQ==', encoding: 'base64', salt: '0badc0de', saltEncoding: 'hex', saltPosition: 'suffix' } },
  { name: 'sha1 plain', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'sha1', hash: '2f9e53523b62abc141a2b4d6019d23cba835dbd0' } },
  { name: 'sha1 salt prefix', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'sha1', hash: '239d315a42de9f06b091ac90535bc6c38c296559', salt: 'pepper1', saltPosition: 'prefix' } },
  { name: 'sha1 salt suffix, base64', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'sha1', hash: 'llXYYWAH8bXivSk70cjSqFXOakc=', encoding: 'base64', salt: 'C63A3g==', saltEncoding: 'base64', saltPosition: 'suffix' } },
  { name: 'sha256 plain', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'sha256', hash: '4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631' } },
  { name: 'sha256 salt prefix', stored: 'digest', password: MADE_HERE, passwordHash: { algorithm: 'sha256', hash: '83077692949face0f5d47f8480ad69351591180aa5bbb574a92a969f9bc754e7', salt: 'pepper1', saltPosition: 'prefix' } },
  {
    name: 'sha256 salt suffix, base64',
    stored: 'digest',
    password: MADE_HERE,
    passwordHash: { algorithm: 'sha256', hash: 'xUGUOMUJRbhbq7oSgl6oFkOqYWUJ/82SmrEpPeJ/SO4=', encoding: 'base64', salt: '0badc0de', saltEncoding: 'hex', saltPosition: 'suffix' },
  },
  // hashlib.sha256('sel'.encode() + 'pâsswörd'.encode()).hexdigest(): passwords are hashed as UTF-8
  { name: 'sha256 salt prefix, non-ASCII password', stored: 'digest', password: 'pâsswörd', passwordHash: { algorithm: 'sha256', hash: '3625738b35c082f1c842b0fba74067a33d10c164e66e4afee85abb23c42a54ea', salt: 'sel', saltPosition: 'prefix' } },
  {
    name: 'sha512 plain',
    stored: 'digest',
    password: MADE_HERE,
    passwordHash: { algorithm: 'sha512', hash: '56b698defedb5a435b634afe3320bbaf3fdcd920b6c503a446fc7b7a776b298d479d1ba6a8b617808eb0bf579ce9a95d668347bcab7149085ac93cb27995197b' },
  },
  {
    name: 'sha512 salt prefix',
    stored: 'digest',
    password: MADE_HERE,
    passwordHash: {
      algorithm: 'sha512',
      hash: '0724b3043817b85c91cf8f621db169b18b63baa62d60bb6959924298539928fd045f3f08d6bc24df4d781445e0fef81356a0daa5d9fc769670749661d38e0c75',
      salt: 'pepper1',
      saltPosition: 'prefix',
    },
  },
  {
    name: 'sha512 salt suffix, base64',
    stored: 'digest',
    password: MADE_HERE,
    passwordHash: {
      algorithm: 'sha512',
      hash: '7wIfCuR2SJ2Yb7+oFmbFnA/WUC/NWwWnAo3AL8Hu5qcjpRMnCTlHdeK4uhO0ZO3LPjGKiFK8E0upU/Rz6/1a+A==',
      encoding: 'base64',
      salt: '0badc0de',
      saltEncoding: 'hex',
      saltPosition: 'suffix',
    },
  },
];
