/**
 * OpenID Connect for every pool: what the composition root builds and the HTTP app
 * mounts. See provider.ts (the library's configuration), hosted-routes.ts (mounting and
 * the sign-in pages), adapter.ts and signing-keys.ts (state in the own store).
 */
import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Pool } from '../domain/pool.js';
import type { RequestInfo } from '../domain/user.js';
import type { LoginUseCase } from '../auth/login.js';
import type { DirectoryFor } from '../users/directories.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { ApplicationsRepository } from '../store/applications.js';
import type { OidcModelsRepository } from '../store/oidc-models.js';
import type { OidcKeysRepository } from '../store/oidc-keys.js';
import type { PoolsRepository } from '../store/pools.js';
import { adapterFactory } from './adapter.js';
import { csrfProtection } from './csrf.js';
import { hostedRoutes, type VerifyEmailOutcome } from './hosted-routes.js';
import { createPoolProvider } from './provider.js';
import { poolProviders } from './providers.js';
import { signingKeys } from './signing-keys.js';

export interface OidcDeps {
  pools: PoolsRepository;
  applications: ApplicationsRepository;
  models: OidcModelsRepository;
  keys: OidcKeysRepository;
  box: SecretBox;
  /** the server's secret key: cookie and CSRF keys are derived from it, so every instance agrees */
  secretKey: Buffer;
  login: LoginUseCase;
  directoryFor: DirectoryFor;
  /** GATEHOUSE_PUBLIC_URL, or the address the server listens on */
  publicUrl(): string;
  log: { error(details: object, message: string): void; warn(details: object, message: string): void };
  /** the email feature's: send a reset link (the forgot-password page answers the same sentence either way) */
  sendPasswordReset?: (pool: Pool, email: string, request: RequestInfo) => Promise<void>;
  /** the email feature's: set the password a reset token allows; until wired, every token is refused */
  resetPassword?: (pool: Pool, token: string, password: string) => Promise<{ ok: boolean; message?: string }>;
  /** the email feature's: redeem a verification link's token for the verify-email page; until wired, every token is refused */
  verifyEmail?: (pool: Pool, token: string) => Promise<VerifyEmailOutcome>;
  /** how often expired rows are swept; 0 turns the timer off (tests sweep by hand) */
  sweepEveryMs?: number;
}

export interface OidcService {
  /** registers /oidc/:poolId/… (the providers and the hosted pages) */
  routes(app: FastifyInstance): Promise<void>;
  issuerFor(poolId: string): string;
  /** publishes a new next signing key and promotes the current next one (signing-keys.ts) */
  rotateKeys(poolId: string): Promise<void>;
  sweepExpired(): Promise<number>;
  /** Ends every session, grant and token of a user (after a password reset): their refresh tokens stop working. */
  revokeUser(poolId: string, userId: string): Promise<void>;
  close(): void;
}

const derive = (secretKey: Buffer, purpose: string): Buffer => Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), `gatehouse ${purpose}`, 32));

export function createOidc(deps: OidcDeps): OidcService {
  const publicUrl = () => new URL(deps.publicUrl());
  const issuerFor = (poolId: string) => `${deps.publicUrl().replace(/\/$/, '')}/oidc/${encodeURIComponent(poolId)}`;
  const secure = () => publicUrl().protocol === 'https:';
  const cookieKey = derive(deps.secretKey, 'oidc cookies').toString('base64url');
  const keys = signingKeys(deps.keys, deps.box);
  const providers = poolProviders({
    keys,
    build: (pool, issuer, jwks) =>
      createPoolProvider({
        pool,
        issuer,
        keys: jwks,
        cookieKeys: [cookieKey],
        secureCookies: issuer.startsWith('https:'),
        adapter: adapterFactory(pool.id, deps.models, deps.applications),
        findUser: async (id) => (await deps.directoryFor(pool)).find({ id }),
        onServerError: (error) => deps.log.error({ err: error, poolId: pool.id }, 'OpenID provider error'),
      }),
  });

  const sweepExpired = async () => deps.models.sweepExpired();
  const sweepEveryMs = deps.sweepEveryMs ?? 10 * 60_000;
  const timer =
    sweepEveryMs > 0
      ? setInterval(() => {
          sweepExpired().catch((error: unknown) => deps.log.warn({ err: error }, 'sweeping expired OpenID state failed'));
        }, sweepEveryMs)
      : undefined;
  timer?.unref();

  return {
    routes: (app) =>
      hostedRoutes(app, {
        getPool: (poolId) => deps.pools.get(poolId),
        providerFor: (pool) => providers.forPool(pool, issuerFor(pool.id)),
        publicUrl,
        login: deps.login,
        directoryFor: deps.directoryFor,
        csrf: csrfProtection(derive(deps.secretKey, 'hosted page csrf'), secure),
        ...(deps.sendPasswordReset ? { sendPasswordReset: deps.sendPasswordReset } : {}),
        ...(deps.resetPassword ? { resetPassword: deps.resetPassword } : {}),
        ...(deps.verifyEmail ? { verifyEmail: deps.verifyEmail } : {}),
      }),
    issuerFor,
    async rotateKeys(poolId) {
      await keys.rotate(poolId);
      providers.forget(poolId);
    },
    sweepExpired,
    async revokeUser(poolId, userId) {
      await deps.models.revokeByAccount(poolId, userId);
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
