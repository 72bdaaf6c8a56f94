/**
 * Access tokens: ES256 JWTs signed with a key pair kept in the store (the private key
 * sealed with the secret key), so every instance on one store signs and verifies with
 * the same key. The first instance to start creates it; the others read it.
 */
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type CryptoKey } from 'jose';
import type { SecretBox } from '../secrets/secret-box.js';
import type { SettingsRepository } from '../store/settings.js';

const SIGNING_KEY_SETTING = 'token_signing_key';
const ALG = 'ES256';
const ISSUER = 'gatehouse';
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export interface AccessClaims {
  userId: string;
  poolId: string;
}

export interface TokenService {
  issue(claims: AccessClaims): Promise<{ accessToken: string; expiresIn: number }>;
  /** undefined for any token that is not ours, expired or malformed */
  verify(token: string): Promise<AccessClaims | undefined>;
  jwks(): { keys: JWK[] };
}

export async function createTokenService(settings: SettingsRepository, box: SecretBox): Promise<TokenService> {
  const sealed = await loadOrCreateKey(settings, box);
  const opened = box.open(sealed);
  if (opened === undefined) throw new Error('the token signing key in the store cannot be opened with this secret key');
  const privateJwk = JSON.parse(opened) as JWK;
  const kid = privateJwk.kid ?? 'default';
  // Signed with node:crypto on the calling thread rather than WebCrypto (jose): a P-256
  // signature takes ~0.1 ms of CPU, while WebCrypto's round trip through the thread pool
  // cost a login 3-8 ms after an idle moment on the 2-core machine (a pool's first login).
  const privateKey = createPrivateKey({ key: { ...privateJwk }, format: 'jwk' });
  const encodedHeader = base64url(JSON.stringify({ alg: ALG, kid, typ: 'JWT' }));
  const { d: _d, ...publicJwk } = privateJwk;
  const publicKey = (await importJWK(publicJwk, ALG)) as CryptoKey;
  const published: JWK = { ...publicJwk, kid, alg: ALG, use: 'sig' };

  return {
    async issue({ userId, poolId }) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const claims = { pool: poolId, sub: userId, iss: ISSUER, aud: poolId, iat: issuedAt, jti: randomUUID(), exp: issuedAt + ACCESS_TOKEN_TTL_SECONDS };
      const signingInput = `${encodedHeader}.${base64url(JSON.stringify(claims))}`;
      // JWS ES256 (RFC 7518 §3.4): the raw r || s pair, not DER.
      const signature = sign('sha256', Buffer.from(signingInput, 'utf8'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return { accessToken: `${signingInput}.${signature.toString('base64url')}`, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: ISSUER, algorithms: [ALG] });
        if (typeof payload.sub !== 'string' || typeof payload['pool'] !== 'string') return undefined;
        return { userId: payload.sub, poolId: payload['pool'] };
      } catch {
        return undefined;
      }
    },
    jwks: () => ({ keys: [published] }),
  };
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

async function loadOrCreateKey(settings: SettingsRepository, box: SecretBox): Promise<string> {
  const existing = await settings.get(SIGNING_KEY_SETTING);
  if (existing !== undefined) return existing;
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID() };
  // Two instances starting together both generate; only one insert wins and both use it.
  await settings.insertIfAbsent(SIGNING_KEY_SETTING, box.seal(JSON.stringify(jwk)));
  const stored = await settings.get(SIGNING_KEY_SETTING);
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable with a working store (the row was just written or already there); a guard, not behaviour
  if (stored === undefined) throw new Error('token signing key could not be stored');
  return stored;
}
