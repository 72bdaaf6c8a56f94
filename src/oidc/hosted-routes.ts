/**
 * The provider mounted into Fastify, and the hosted pages behind its interactions.
 *
 * Mounting: oidc-provider is a Koa app. Requests under /oidc/:poolId/ are handed to the
 * pool's provider raw (the reply is hijacked), with the prefix moved from `req.url` to
 * `req.originalUrl` as the library's mounting guide asks, so it builds its URLs under
 * the issuer. Nothing about OAuth is parsed here.
 *
 * Interactions: when a sign-in is needed the provider redirects to
 * /oidc/:poolId/interaction/:uid, which these routes serve: the sign-in form posts to
 * the one login use case (throttling, lazy migration, custom user store), and success
 * finishes the interaction with the provider. Applications are first-party, so consent
 * is granted in the same step and no consent page exists.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { ERROR_STATUS, type ErrorCode } from '../domain/error-codes.js';
import type { Pool } from '../domain/pool.js';
import { accountQueryFrom, type RequestInfo } from '../domain/user.js';
import type { LoginUseCase } from '../auth/login.js';
import type { DirectoryFor } from '../users/directories.js';
import { isStoreUnavailable } from '../store/database.js';
import type { Csrf } from './csrf.js';
import { EMAIL_PATTERN, PASSWORD_MAX, PASSWORD_MIN, parseForm, readFields } from './forms.js';
import {
  errorPage,
  forgotPasswordPage,
  registerPage,
  resetPasswordPage,
  signInPage,
  verifyEmailPage,
  type PageFrame,
  type RenderedPage,
} from './pages.js';
import { AUTHORIZATION_PATH, INTERACTION_PATH } from './provider.js';
import type { CachedProvider } from './providers.js';

export interface HostedRoutesDeps {
  getPool(poolId: string): Promise<Pool | undefined>;
  providerFor(pool: Pool): Promise<CachedProvider>;
  publicUrl(): URL;
  login: LoginUseCase;
  directoryFor: DirectoryFor;
  csrf: Csrf;
  /** filled in by the email feature; until then the form answers the same sentence and sends nothing */
  sendPasswordReset?: (pool: Pool, email: string, request: RequestInfo) => Promise<void>;
  resetPassword?: (pool: Pool, token: string, password: string) => Promise<{ ok: boolean; message?: string }>;
  /** redeems a verification link's token; until wired, every token is refused */
  verifyEmail?: (pool: Pool, token: string) => Promise<VerifyEmailOutcome>;
}

/** What the verify-email page can say: verified, a bad link, or the user database is down (the link stays usable). */
export type VerifyEmailOutcome = 'verified' | 'invalid' | 'unavailable';
export const VERIFY_EMAIL_INVALID_TEXT = 'This link is invalid or has expired';

const FORM_BODY_LIMIT = 8 * 1024;

export const LOGIN_FAILURE_TEXT: Partial<Record<ErrorCode, string>> = {
  WRONG_USERNAME_OR_PASSWORD: 'Wrong username or password',
  USER_NOT_FOUND: 'Wrong username or password',
  ACCOUNT_BLOCKED: 'This account is blocked',
  TOO_MANY_ATTEMPTS: 'Too many attempts, try again later',
};
const UNAVAILABLE_TEXT = 'The user database is unavailable, try again later';

const requestInfo = (request: FastifyRequest): RequestInfo => ({ ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null });

function sendPage(reply: FastifyReply, rendered: RenderedPage, status = 200): FastifyReply {
  return reply.status(status).headers(rendered.headers).send(rendered.html);
}

class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export async function hostedRoutes(app: FastifyInstance, deps: HostedRoutesDeps): Promise<void> {
  const poolPath = (poolId: string) => `${deps.publicUrl().pathname.replace(/\/$/, '')}/oidc/${encodeURIComponent(poolId)}`;

  async function requirePool(poolId: string): Promise<Pool> {
    const pool = await deps.getPool(poolId);
    if (!pool) throw new PageError(404, 'Page not found', 'There is no such sign-in page.');
    return pool;
  }

  // ---- the provider itself -------------------------------------------------------
  await app.register(async (mount) => {
    // oidc-provider reads request bodies itself: leave the stream untouched.
    mount.removeAllContentTypeParsers();
    mount.addContentTypeParser('*', (_request, _payload, done) => done(null));

    mount.route({
      method: ['GET', 'POST', 'OPTIONS'],
      url: '/oidc/:poolId/*',
      handler: async (request, reply) => {
        const { poolId } = request.params as { poolId: string };
        const pool = await deps.getPool(poolId);
        if (!pool) {
          return reply
            .status(404)
            .header('cache-control', 'no-store')
            .send({ error: 'invalid_request', error_description: 'no user pool with this id' });
        }
        const { handle } = await deps.providerFor(pool);
        const raw = request.raw;
        const incoming = raw.url ?? '/';
        // the raw prefix as the client sent it (the pool id may be percent-encoded)
        const rawPrefix = incoming.split('/').slice(0, 3).join('/');
        const rest = withOfflineAccessConsent(request.method, incoming.slice(rawPrefix.length) || '/');
        const base = deps.publicUrl();
        // The library derives its mount path from originalUrl minus url, and its host and
        // protocol from X-Forwarded-* (provider.proxy is on): both are set here from the
        // public URL, never taken from the client.
        (raw as typeof raw & { originalUrl?: string }).originalUrl = poolPath(poolId) + rest;
        raw.url = rest;
        raw.headers['x-forwarded-host'] = base.host;
        raw.headers['x-forwarded-proto'] = base.protocol.replace(':', '');
        // the client address as Fastify determined it under GATEHOUSE_TRUST_PROXY, not as sent
        raw.headers['x-forwarded-for'] = request.ip;
        delete raw.headers['x-forwarded-port'];
        reply.hijack();
        await handle(raw, reply.raw);
      },
    });
  });

  // ---- hosted pages ---------------------------------------------------------------
  await app.register(async (pages) => {
    pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) =>
      done(null, parseForm(String(body))),
    );

    const frameFor = (pool: Pool, targets: string[] = []): PageFrame => ({ poolName: pool.name, formTargets: targets });

    pages.setErrorHandler(async (error: Error & { code?: string; statusCode?: number }, request, reply) => {
      const pool = await deps.getPool((request.params as { poolId?: string }).poolId ?? '').catch(() => undefined);
      const frame: PageFrame = { poolName: pool?.name ?? 'Gatehouse', formTargets: [] };
      if (error instanceof PageError) return sendPage(reply, errorPage(frame, error.title, error.message), error.status);
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return sendPage(reply, errorPage(frame, 'Too much data', 'The form was larger than allowed.'), 413);
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || (error.statusCode !== undefined && error.statusCode < 500)) {
        return sendPage(reply, errorPage(frame, 'Bad request', 'The form could not be read.'), 400);
      }
      if (isStoreUnavailable(error)) {
        return sendPage(reply, errorPage(frame, 'Try again shortly', 'The service is briefly unavailable.'), 503);
      }
      request.log.error({ err: error }, 'hosted page failed');
      return sendPage(reply, errorPage(frame, 'Something went wrong', `Please try again (request ${request.id}).`), 500);
    });

    interface Interaction {
      pool: Pool;
      provider: Provider;
      details: Awaited<ReturnType<Provider['interactionDetails']>>;
      frame: PageFrame;
      clientName: string | undefined;
      base: string;
    }

    /** The interaction in progress for this browser, checked against the uid in the path. */
    async function interaction(request: FastifyRequest, reply: FastifyReply): Promise<Interaction> {
      const { poolId, uid } = request.params as { poolId: string; uid: string };
      const pool = await requirePool(poolId);
      const { provider } = await deps.providerFor(pool);
      let details: Interaction['details'];
      try {
        details = await provider.interactionDetails(request.raw, reply.raw);
      } catch {
        throw new PageError(400, 'This sign-in has expired', 'Go back to the application and start signing in again.');
      }
      if (details.uid !== uid) throw new PageError(400, 'This sign-in has expired', 'Go back to the application and start signing in again.');
      const clientId = typeof details.params['client_id'] === 'string' ? details.params['client_id'] : '';
      const client = await provider.Client.find(clientId);
      const redirectUri = typeof details.params['redirect_uri'] === 'string' ? details.params['redirect_uri'] : undefined;
      return {
        pool,
        provider,
        details,
        frame: frameFor(pool, redirectUri ? [redirectUri] : []),
        clientName: client?.clientName,
        base: `${poolPath(pool.id)}${INTERACTION_PATH}/${encodeURIComponent(uid)}`,
      };
    }

    /** First-party applications: whatever the application asked for is granted, without a page. */
    async function grantFor(current: Interaction, accountId: string): Promise<string> {
      const { provider, details } = current;
      const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
      const grant =
        existing && existing.accountId === accountId
          ? existing
          : new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
      if (typeof details.params['scope'] === 'string') grant.addOIDCScope(details.params['scope']);
      const missingClaims = details.prompt.details['missingOIDCClaims'];
      if (Array.isArray(missingClaims)) grant.addOIDCClaims(missingClaims.map(String));
      return grant.save();
    }

    async function finish(request: FastifyRequest, reply: FastifyReply, current: Interaction, accountId: string) {
      const result: InteractionResults = { login: { accountId }, consent: { grantId: await grantFor(current, accountId) } };
      const location = await current.provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
      return reply.header('cache-control', 'no-store').redirect(location, 303);
    }

    const csrfPath = (pool: Pool) => poolPath(pool.id);
    const requireCsrf = (request: FastifyRequest) => {
      const body = request.body as Record<string, unknown> | undefined;
      const token = typeof body?.['csrf'] === 'string' ? body['csrf'] : undefined;
      if (!deps.csrf.check(request, token)) {
        throw new PageError(403, 'This form has expired', 'Reload the page and try again.');
      }
    };

    const signIn = (request: FastifyRequest, reply: FastifyReply, current: Interaction, extra: { account?: string; error?: string }) =>
      signInPage(current.frame, {
        action: `${current.base}/login`,
        csrf: deps.csrf.issue(request, reply, csrfPath(current.pool)),
        registerHref: `${current.base}/register`,
        forgotHref: `${current.base}/forgot-password`,
        ...(current.clientName ? { clientName: current.clientName } : {}),
        ...extra,
      });

    pages.get('/oidc/:poolId/interaction/:uid', async (request, reply) => {
      const current = await interaction(request, reply);
      const { prompt, session } = current.details;
      // Already signed in, only consent pending: granted at once (first-party applications).
      if (prompt.name === 'consent' && session?.accountId) return finish(request, reply, current, session.accountId);
      return sendPage(reply, signIn(request, reply, current, {}));
    });

    pages.post('/oidc/:poolId/interaction/:uid/login', async (request, reply) => {
      const current = await interaction(request, reply);
      requireCsrf(request);
      const fields = readFields(request.body, {
        account: { label: 'Email, username or phone', min: 1, max: 320 },
        password: { label: 'Password', min: 1, max: PASSWORD_MAX },
      });
      if (!fields.ok) return sendPage(reply, signIn(request, reply, current, { error: fields.error.message }), 400);
      const { account, password } = fields.value;
      const result = await deps.login(current.pool, accountQueryFrom(account.trim()), password, requestInfo(request));
      if (result.ok) return finish(request, reply, current, result.value.id);
      const text = LOGIN_FAILURE_TEXT[result.error.code] ?? UNAVAILABLE_TEXT;
      if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
      return sendPage(reply, signIn(request, reply, current, { account, error: text }), ERROR_STATUS[result.error.code]);
    });

    const registerView = (request: FastifyRequest, reply: FastifyReply, current: Interaction, extra: { email?: string; error?: string }) =>
      registerPage(current.frame, {
        action: `${current.base}/register`,
        csrf: deps.csrf.issue(request, reply, csrfPath(current.pool)),
        signInHref: current.base,
        ...extra,
      });

    pages.get('/oidc/:poolId/interaction/:uid/register', async (request, reply) => {
      const current = await interaction(request, reply);
      return sendPage(reply, registerView(request, reply, current, {}));
    });

    pages.post('/oidc/:poolId/interaction/:uid/register', async (request, reply) => {
      const current = await interaction(request, reply);
      requireCsrf(request);
      const fields = readFields(request.body, {
        email: { label: 'Email', min: 3, max: 254, pattern: EMAIL_PATTERN },
        password: { label: 'Password', min: PASSWORD_MIN, max: PASSWORD_MAX },
      });
      if (!fields.ok) {
        // what the person typed stays in the field (cut to its limit), so a typo is fixed, not retyped
        const typed = (request.body as Record<string, unknown> | undefined)?.['email'];
        const email = typeof typed === 'string' ? typed.slice(0, 254) : '';
        return sendPage(reply, registerView(request, reply, current, { email, error: fields.error.message }), 400);
      }
      const directory = await deps.directoryFor(current.pool);
      const created = await directory.register({ email: fields.value.email, password: fields.value.password }, requestInfo(request));
      if (created.ok) return finish(request, reply, current, created.value.id);
      const text = created.error.code === 'USER_EXISTS' ? 'An account with this email already exists' : UNAVAILABLE_TEXT;
      return sendPage(reply, registerView(request, reply, current, { email: fields.value.email, error: text }), ERROR_STATUS[created.error.code]);
    });

    const forgotView = (request: FastifyRequest, reply: FastifyReply, current: Interaction, extra: { error?: string; sent?: boolean }) =>
      forgotPasswordPage(current.frame, {
        action: `${current.base}/forgot-password`,
        csrf: deps.csrf.issue(request, reply, csrfPath(current.pool)),
        signInHref: current.base,
        ...extra,
      });

    pages.get('/oidc/:poolId/interaction/:uid/forgot-password', async (request, reply) => {
      const current = await interaction(request, reply);
      return sendPage(reply, forgotView(request, reply, current, {}));
    });

    pages.post('/oidc/:poolId/interaction/:uid/forgot-password', async (request, reply) => {
      const current = await interaction(request, reply);
      requireCsrf(request);
      const fields = readFields(request.body, { email: { label: 'Email', min: 3, max: 254, pattern: EMAIL_PATTERN } });
      if (!fields.ok) return sendPage(reply, forgotView(request, reply, current, { error: fields.error.message }), 400);
      // The same answer whether or not the account exists: the page must not reveal who has one.
      await deps.sendPasswordReset?.(current.pool, fields.value.email, requestInfo(request));
      return sendPage(reply, forgotView(request, reply, current, { sent: true }));
    });

    const TOKEN_RULE = { label: 'The reset link', min: 1, max: 512, pattern: /^[A-Za-z0-9_.~-]+$/ };

    pages.get('/oidc/:poolId/reset-password', async (request, reply) => {
      const pool = await requirePool((request.params as { poolId: string }).poolId);
      const token = readFields(request.query, { token: TOKEN_RULE });
      if (!token.ok) throw new PageError(400, 'This link is not valid', 'Ask for a new reset link.');
      return sendPage(
        reply,
        resetPasswordPage(frameFor(pool), {
          action: `${poolPath(pool.id)}/reset-password`,
          csrf: deps.csrf.issue(request, reply, csrfPath(pool)),
          token: token.value.token,
        }),
      );
    });

    pages.post('/oidc/:poolId/reset-password', async (request, reply) => {
      const pool = await requirePool((request.params as { poolId: string }).poolId);
      requireCsrf(request);
      const token = readFields(request.body, { token: TOKEN_RULE });
      if (!token.ok) throw new PageError(400, 'This link is not valid', 'Ask for a new reset link.');
      const view = (extra: { error?: string; done?: string }) =>
        resetPasswordPage(frameFor(pool), {
          action: `${poolPath(pool.id)}/reset-password`,
          csrf: deps.csrf.issue(request, reply, csrfPath(pool)),
          token: token.value.token,
          ...extra,
        });
      const password = readFields(request.body, { password: { label: 'New password', min: PASSWORD_MIN, max: PASSWORD_MAX } });
      if (!password.ok) return sendPage(reply, view({ error: password.error.message }), 400);
      const outcome = (await deps.resetPassword?.(pool, token.value.token, password.value.password)) ?? { ok: false };
      if (!outcome.ok) return sendPage(reply, view({ error: outcome.message ?? 'This reset link is invalid or has expired' }), 400);
      return sendPage(reply, view({ done: 'Your password is set. You can sign in with it now.' }));
    });

    // Opening the link only shows a button: mail scanners fetch links, and a GET that
    // redeemed the token would verify addresses nobody looked at and use up the link.
    const VERIFY_TOKEN_RULE = { ...TOKEN_RULE, label: 'The verification link' };
    const verifyView = (request: FastifyRequest, reply: FastifyReply, pool: Pool, token: string, extra: { error?: string; done?: string; button?: boolean }) =>
      verifyEmailPage(frameFor(pool), {
        action: `${poolPath(pool.id)}/verify-email`,
        csrf: deps.csrf.issue(request, reply, csrfPath(pool)),
        token,
        ...extra,
      });

    pages.get('/oidc/:poolId/verify-email', async (request, reply) => {
      const pool = await requirePool((request.params as { poolId: string }).poolId);
      const token = readFields(request.query, { token: VERIFY_TOKEN_RULE });
      if (!token.ok) throw new PageError(400, 'This link is not valid', VERIFY_EMAIL_INVALID_TEXT);
      return sendPage(reply, verifyView(request, reply, pool, token.value.token, {}));
    });

    pages.post('/oidc/:poolId/verify-email', async (request, reply) => {
      const pool = await requirePool((request.params as { poolId: string }).poolId);
      requireCsrf(request);
      const token = readFields(request.body, { token: VERIFY_TOKEN_RULE });
      if (!token.ok) throw new PageError(400, 'This link is not valid', VERIFY_EMAIL_INVALID_TEXT);
      const outcome: VerifyEmailOutcome = (await deps.verifyEmail?.(pool, token.value.token)) ?? 'invalid';
      if (outcome === 'verified') return sendPage(reply, verifyView(request, reply, pool, token.value.token, { done: 'Your email address is verified.', button: false }));
      // the user database being down leaves the link usable: the button stays for another try
      if (outcome === 'unavailable') return sendPage(reply, verifyView(request, reply, pool, token.value.token, { error: UNAVAILABLE_TEXT }), 503);
      return sendPage(reply, verifyView(request, reply, pool, token.value.token, { error: VERIFY_EMAIL_INVALID_TEXT, button: false }), 400);
    });
  });
}

/**
 * OpenID Connect drops `offline_access` unless `prompt=consent` is present, "unless other
 * conditions permitting offline access are in place" (Core §11). Here they are: every
 * application is first-party and the contract grants offline_access when asked. The
 * library implements only the prompt condition, so it is added to such requests; the
 * consent it triggers is granted in the interaction without a page.
 */
function withOfflineAccessConsent(method: string, pathAndQuery: string): string {
  const queryAt = pathAndQuery.indexOf('?');
  if (method !== 'GET' || queryAt === -1 || pathAndQuery.slice(0, queryAt) !== AUTHORIZATION_PATH) return pathAndQuery;
  const params = new URLSearchParams(pathAndQuery.slice(queryAt + 1));
  const scopes = params.getAll('scope');
  const prompts = params.getAll('prompt');
  // A repeated parameter is the library's to reject; only a single clean pair is touched.
  if (scopes.length !== 1 || prompts.length > 1) return pathAndQuery;
  if (!(scopes[0] ?? '').split(' ').includes('offline_access')) return pathAndQuery;
  const prompt = (prompts[0] ?? '').split(' ').filter(Boolean);
  if (prompt.includes('consent') || prompt.includes('none')) return pathAndQuery;
  params.set('prompt', [...prompt, 'consent'].join(' '));
  return `${AUTHORIZATION_PATH}?${params.toString()}`;
}
