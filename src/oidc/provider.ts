/**
 * One OpenID provider for one pool, on oidc-provider: the protocol (discovery, code +
 * PKCE, refresh rotation, userinfo, revocation, introspection, logout, client
 * credentials) is the library's; what is ours is where its state lives, which users
 * and clients exist, how a client's secret is checked and how the pages look.
 */
import Provider, { errors, type AdapterFactory, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Pool } from '../domain/pool.js';
import type { Result } from '../domain/result.js';
import type { User } from '../domain/user.js';
import { clientSecretMatches } from '../applications/client-secret.js';
import { cspSource, errorPage, signedOutPage, signOutPage, type PageFrame, type RenderedPage } from './pages.js';

export const AUTHORIZATION_PATH = '/auth';
export const INTERACTION_PATH = '/interaction';

const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone'];
const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'nickname', 'picture', 'given_name', 'family_name', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};
const SIGNING_ALGS = ['ES256', 'RS256'] as const;

export interface PoolProviderOptions {
  pool: Pool;
  issuer: string;
  keys: JWK[];
  /** signs oidc-provider's cookies; the same on every instance */
  cookieKeys: string[];
  /** the public URL is https: cookies get Secure */
  secureCookies: boolean;
  adapter: AdapterFactory;
  /** the pool's user by id (the pool's directory), null when there is none */
  findUser(id: string): Promise<Result<User | null>>;
  onServerError(error: unknown): void;
}

/** The contract's claims from the user object. */
export function claimsOf(user: User): Record<string, unknown> {
  const updatedAt = user.updatedAt === null ? undefined : Math.floor(Date.parse(user.updatedAt) / 1000);
  const claims: Record<string, unknown> = {
    sub: user.id,
    email: user.email ?? undefined,
    email_verified: user.email === null ? undefined : user.emailVerified,
    phone_number: user.phone ?? undefined,
    phone_number_verified: user.phone === null ? undefined : user.phoneVerified,
    preferred_username: user.username ?? undefined,
    name: user.name ?? undefined,
    nickname: user.nickname ?? undefined,
    picture: user.photo ?? undefined,
    given_name: user.givenName ?? undefined,
    family_name: user.familyName ?? undefined,
    updated_at: Number.isFinite(updatedAt) ? updatedAt : undefined,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

function send(ctx: KoaContextWithOIDC, rendered: RenderedPage, status?: number): void {
  for (const [name, value] of Object.entries(rendered.headers)) ctx.set(name, value);
  if (status !== undefined) ctx.status = status;
  ctx.body = rendered.html;
}

export function createPoolProvider(options: PoolProviderOptions): Provider {
  const frame = (targets: string[] = []): PageFrame => ({ poolName: options.pool.name, formTargets: targets });
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: options.secureCookies, signed: true };

  const configuration: Configuration = {
    adapter: options.adapter,
    jwks: { keys: options.keys },
    cookies: { keys: options.cookieKeys, long: cookie, short: cookie },
    scopes: SCOPES,
    claims: CLAIMS,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    // Only asymmetric algorithms: a client's "secret" here is a hash (see below), which
    // must never serve as an HMAC key.
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS,
      userinfoSigningAlgValues: SIGNING_ALGS,
      introspectionSigningAlgValues: SIGNING_ALGS,
      authorizationSigningAlgValues: SIGNING_ALGS,
      requestObjectSigningAlgValues: SIGNING_ALGS,
      clientAuthSigningAlgValues: SIGNING_ALGS,
    },
    routes: { authorization: AUTHORIZATION_PATH },
    // PKCE (S256 only in oidc-provider 9) for every public client; confidential ones may use it too.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // Every use of a refresh token answers a new one; the library revokes the whole grant
    // when a used one comes back (actions/grants/refresh_token.js).
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          const client = ctx.oidc.client;
          send(ctx, signOutPage(frame([...(client?.postLogoutRedirectUris ?? [])]), form, client?.clientName));
        },
        postLogoutSuccessSource(ctx) {
          send(ctx, signedOutPage(frame()));
        },
      },
    },
    interactions: {
      url: (_ctx, interaction) => `${options.issuer}${INTERACTION_PATH}/${interaction.uid}`,
    },
    async findAccount(_ctx, sub) {
      const found = await options.findUser(sub);
      if (!found.ok) {
        const unavailable = new errors.CustomOIDCProviderError('temporarily_unavailable', 'the user database is unavailable, try again later');
        unavailable.status = 503;
        unavailable.statusCode = 503;
        throw unavailable;
      }
      // A user deleted or blocked since the grant loses its tokens' use.
      const user = found.value;
      if (user === null || user.blocked) return undefined;
      return { accountId: sub, claims: () => ({ ...claimsOf(user), sub }) };
    },
    renderError(ctx, out) {
      const message = out.error_description ?? out.error;
      // the library's codes are for programs; a person gets a sentence and the code
      send(ctx, errorPage(frame(), 'Something went wrong', `${message} (${out.error})`));
    },
  };

  const provider = new Provider(options.issuer, configuration);
  // Our own mount computes the forwarded host and protocol from the public URL (see
  // mount.ts), so the library may trust them.
  provider.proxy = true;

  // Client secrets are stored as SHA-256 hashes (shown once, never kept). oidc-provider
  // compares `client_secret` itself, in Client#compareClientSecret; its maintainer's
  // answer for hashed secrets (panva/node-oidc-provider#631) is to override that
  // method, which is what this does: the metadata's client_secret is the hash and the
  // presented secret is checked against it in constant time. The cost, symmetric
  // (HS*) algorithms keyed by the secret, is excluded through enabledJWA above.
  provider.Client.prototype.compareClientSecret = function compareHashedSecret(this: { clientSecret?: string }, presented: string) {
    return clientSecretMatches(presented, this.clientSecret ?? null);
  };

  provider.on('server_error', (_ctx, error) => options.onServerError(error));
  return provider;
}

export { cspSource };
