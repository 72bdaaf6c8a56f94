/**
 * Access tokens: ES256 JWTs signed with a key pair kept in the store (the private key
 * sealed with the secret key), so every instance on one store signs and verifies with
 * the same key. The first instance to start creates it; the others read it.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type CryptoKey } from 'jose';
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
  const privateKey = (await importJWK(privateJwk, ALG)) as CryptoKey;
  const { d: _d, ...publicJwk } = privateJwk;
  const publicKey = (await importJWK(publicJwk, ALG)) as CryptoKey;
  const published: JWK = { ...publicJwk, kid, alg: ALG, use: 'sig' };

  return {
    async issue({ userId, poolId }) {
      const accessToken = await new SignJWT({ pool: poolId })
        .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(poolId)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
        .sign(privateKey);
      return { accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
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
