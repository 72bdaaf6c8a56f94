import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import { ACCESS_TOKEN_TTL_SECONDS, createTokenService, type TokenService } from '../../src/auth/tokens.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { openStore, type Store } from '../../src/store/database.js';
import { settingsRepository, type SettingsRepository } from '../../src/store/settings.js';

const box = createSecretBox(Buffer.alloc(32, 7));

describe('access tokens', () => {
  let dataDir: string;
  let store: Store;
  let settings: SettingsRepository;
  let tokens: TokenService;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-tokens-'));
    store = await openStore({ databaseUrl: undefined, dataDir });
    settings = settingsRepository(store.db);
    tokens = await createTokenService(settings, box);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Signs a token with the service's own private key, as only a holder of the key could. */
  async function signWithStoredKey(build: (jwt: SignJWT) => SignJWT, payload: Record<string, unknown> = {}): Promise<string> {
    const jwk = JSON.parse(box.open((await settings.get('token_signing_key')) ?? '') ?? '') as JWK;
    const key = await importJWK(jwk, 'ES256');
    return build(new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: jwk.kid ?? '' })).sign(key);
  }

  it('issues an ES256 JWT for the user and pool that expires in an hour and verifies against the published JWKS', async () => {
    const before = Math.floor(Date.now() / 1000);
    const issued = await tokens.issue({ userId: 'user-1', poolId: 'pool-1' });
    expect(issued.expiresIn).toBe(3600);
    expect(ACCESS_TOKEN_TTL_SECONDS).toBe(3600);

    const header = decodeProtectedHeader(issued.accessToken);
    expect(header).toEqual({ alg: 'ES256', kid: tokens.jwks().keys[0]?.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(issued.accessToken, createLocalJWKSet(tokens.jwks()), { issuer: 'gatehouse', audience: 'pool-1' });
    expect(payload).toMatchObject({ sub: 'user-1', pool: 'pool-1', iss: 'gatehouse', aud: 'pool-1' });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    // In seconds, not milliseconds: issued now, expiring in an hour from now.
    expect(payload.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(payload.exp).toBe((payload.iat ?? 0) + 3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeJwt((await tokens.issue({ userId: 'user-1', poolId: 'pool-1' })).accessToken).jti).not.toBe(payload.jti);
  });

  it('verifies its own tokens back to the user and pool', async () => {
    const { accessToken } = await tokens.issue({ userId: 'user-2', poolId: 'pool-2' });
    expect(await tokens.verify(accessToken)).toEqual({ userId: 'user-2', poolId: 'pool-2' });
  });

  it('publishes only the public half of the signing key, marked for ES256 signatures', () => {
    const { keys } = tokens.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('keeps the signing key sealed in the store, never in the clear', async () => {
    const stored = (await settings.get('token_signing_key')) ?? '';
    expect(stored).not.toContain('"d"');
    const opened = JSON.parse(box.open(stored) ?? '{}') as JWK;
    expect(opened.d).toEqual(expect.any(String));
    expect(stored).not.toContain(opened.d);
  });

  it('rejects tokens that are not its own: malformed, tampered, signed by another key, expired or from another issuer', async () => {
    const { accessToken } = await tokens.issue({ userId: 'user-3', poolId: 'pool-3' });
    const [header, payload, signature] = accessToken.split('.');
    const otherKey = (await generateKeyPair('ES256')).privateKey;
    const foreign = await new SignJWT({ pool: 'pool-3' }).setProtectedHeader({ alg: 'ES256' }).setSubject('user-3').setIssuer('gatehouse').sign(otherKey);
    const expired = await signWithStoredKey((jwt) => jwt.setSubject('user-3').setIssuer('gatehouse').setExpirationTime(Math.floor(Date.now() / 1000) - 60), { pool: 'pool-3' });
    const otherIssuer = await signWithStoredKey((jwt) => jwt.setSubject('user-3').setIssuer('someone-else'), { pool: 'pool-3' });
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(accessToken), sub: 'admin' })).toString('base64url')}.${signature}`;

    for (const token of ['', 'garbage', `${header}.${payload}.`, tampered, foreign, expired, otherIssuer]) {
      expect(await tokens.verify(token)).toBeUndefined();
    }
  });

  it('rejects a token of its own key that does not name a user and a pool', async () => {
    const noPool = await signWithStoredKey((jwt) => jwt.setSubject('user-4').setIssuer('gatehouse'));
    const numericPool = await signWithStoredKey((jwt) => jwt.setSubject('user-4').setIssuer('gatehouse'), { pool: 42 });
    const noSubject = await signWithStoredKey((jwt) => jwt.setIssuer('gatehouse'), { pool: 'pool-4' });
    for (const token of [noPool, numericPool, noSubject]) expect(await tokens.verify(token)).toBeUndefined();
    // the same claims with both present do verify, so the refusals above are about the claims
    const complete = await signWithStoredKey((jwt) => jwt.setSubject('user-4').setIssuer('gatehouse'), { pool: 'pool-4' });
    expect(await tokens.verify(complete)).toEqual({ userId: 'user-4', poolId: 'pool-4' });
  });

  it('refuses a token whose header names another algorithm, even with a valid signature for it', async () => {
    // an HS256 token keyed with the public key's bytes: the classic algorithm-confusion forgery
    const publicJwk = JSON.stringify(tokens.jwks().keys[0]);
    const forged = await new SignJWT({ pool: 'pool-5' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-5')
      .setIssuer('gatehouse')
      .sign(new TextEncoder().encode(publicJwk));
    expect(await tokens.verify(forged)).toBeUndefined();
  });

  it('signs with the same key on every service over one store, so instances accept each other\'s tokens', async () => {
    const other = await createTokenService(settings, box);
    expect(other.jwks()).toEqual(tokens.jwks());
    const { accessToken } = await other.issue({ userId: 'user-6', poolId: 'pool-6' });
    expect(await tokens.verify(accessToken)).toEqual({ userId: 'user-6', poolId: 'pool-6' });
  });

  it('refuses to start when the stored key cannot be opened with this secret key', async () => {
    await expect(createTokenService(settings, createSecretBox(Buffer.alloc(32, 8)))).rejects.toThrow(
      'the token signing key in the store cannot be opened with this secret key',
    );
  });
});

describe('access tokens over a store whose signing key has no key id', () => {
  it('publishes and signs under the key id "default"', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-tokens-'));
    const store = await openStore({ databaseUrl: undefined, dataDir });
    try {
      const settings = settingsRepository(store.db);
      const jwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
      await settings.set('token_signing_key', box.seal(JSON.stringify(jwk)));
      const tokens = await createTokenService(settings, box);
      expect(tokens.jwks().keys[0]?.kid).toBe('default');
      const { accessToken } = await tokens.issue({ userId: 'user-7', poolId: 'pool-7' });
      expect(decodeProtectedHeader(accessToken).kid).toBe('default');
      expect(await tokens.verify(accessToken)).toEqual({ userId: 'user-7', poolId: 'pool-7' });
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
