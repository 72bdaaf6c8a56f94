/**
 * Forgot password / reset password, for every kind of pool: the pool's directory finds
 * the account (a lazy-migration user still in the old database is migrated then, profile
 * only: see UserDirectory.findForRecovery) and sets the new password (locally with
 * argon2id, or through the custom user store's updateUser).
 *
 * Not enumerable: `request` returns before anything is looked up, so the API answers the
 * same 202 in the same time whether the account exists or not; the lookup, the throttle
 * and the mail happen in the background. Throttled per email and per client address in
 * the login throttle's counters (their own keys): a flood sends at most the budget of mail.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { CustomDbFailureCode } from '../domain/error-codes.js';
import type { Pool } from '../domain/pool.js';
import { normaliseEmail, type RequestInfo } from '../domain/user.js';
import type { LoginAttemptsRepository } from '../store/login-attempts.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { Mailer } from '../mail/mailer.js';
import { resetLinkUrl } from '../mail/links.js';
import { passwordResetMail } from '../mail/templates.js';
import type { EmailTokens } from './email-tokens.js';
import type { BackgroundWork } from './background.js';

export const RESET_TOKEN_MINUTES = 30;

/** Called after a password was reset, e.g. to revoke the user's refresh tokens and sessions. */
export type PasswordResetHook = (poolId: string, userId: string) => Promise<void>;

export interface ForgotPasswordLimits {
  perEmail: number;
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_FORGOT_PASSWORD_LIMITS: ForgotPasswordLimits = { perEmail: 5, perAddress: 30, windowSeconds: 900 };

export const INVALID_RESET_TOKEN = 'This password reset link is unknown, already used or expired; ask for a new one';

export type ResetFailureCode = 'INVALID_TOKEN' | CustomDbFailureCode;

export interface PasswordReset {
  /** Starts sending a reset link to the account with this email, if there is one, and returns at once. */
  request(pool: Pool, email: string, request: RequestInfo): void;
  /** Sets the password of the token's user; the token is used up. */
  reset(pool: Pool, token: string, password: string): Promise<Result<void, ResetFailureCode>>;
}

export interface PasswordResetLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export function passwordReset(deps: {
  directoryFor(pool: Pool): Promise<UserDirectory>;
  tokens: EmailTokens;
  attempts: LoginAttemptsRepository;
  mailer: Mailer;
  publicUrl(): string;
  now(): number;
  background: BackgroundWork;
  /** read at every reset, so the composition root may add hooks after building this */
  onPasswordReset: readonly PasswordResetHook[];
  log: PasswordResetLog;
  limits?: ForgotPasswordLimits;
}): PasswordReset {
  const limits = deps.limits ?? DEFAULT_FORGOT_PASSWORD_LIMITS;

  /** Counts the request under the email and the client address; false when either is over its budget. */
  async function withinBudget(poolId: string, email: string, ip: string | null): Promise<boolean> {
    const emailKey = `reset-email:${email}`;
    const keys = ip === null ? [emailKey] : [emailKey, `reset-ip:${ip}`];
    const windows = await deps.attempts.count(poolId, keys, deps.now(), limits.windowSeconds * 1000);
    return windows.every((window) => window.attempts <= (window.key === emailKey ? limits.perEmail : limits.perAddress));
  }

  async function sendLink(pool: Pool, rawEmail: string, request: RequestInfo): Promise<void> {
    const email = normaliseEmail(rawEmail);
    if (!(await withinBudget(pool.id, email, request.ip))) {
      deps.log.info({ poolId: pool.id, ip: request.ip }, 'forgot-password throttled: no mail sent');
      return;
    }
    const directory = await deps.directoryFor(pool);
    const found = await directory.findForRecovery({ email });
    if (!found.ok) {
      deps.log.warn({ poolId: pool.id, code: found.error.code, reason: found.error.message }, 'forgot-password: the account could not be looked up');
      return;
    }
    const user = found.value;
    // No account, or one that may not sign in anyway: nothing is sent, and nothing tells.
    if (user === null || user.email === null || user.blocked) return;
    const token = await deps.tokens.issue({
      poolId: pool.id,
      purpose: 'reset',
      userId: user.id,
      email: user.email,
      validMs: RESET_TOKEN_MINUTES * 60_000,
    });
    const link = resetLinkUrl(deps.publicUrl(), pool.id, token);
    await deps.mailer.send({ poolId: pool.id, to: user.email, ...passwordResetMail(pool.name, link, RESET_TOKEN_MINUTES) });
  }

  return {
    request(pool, email, request) {
      deps.background.run('forgot-password', () => sendLink(pool, email, request));
    },
    async reset(pool, token, password) {
      const redeemed = await deps.tokens.redeem(pool.id, 'reset', token);
      if (!redeemed) return fail('INVALID_TOKEN', INVALID_RESET_TOKEN);
      const directory = await deps.directoryFor(pool);
      const updated = await directory.update(redeemed.userId, { password });
      if (!updated.ok) {
        // The user is gone: the link is worthless. Anything else (a script failing) passes: the link may be tried again.
        if (updated.error.code === 'USER_NOT_FOUND') return fail('INVALID_TOKEN', INVALID_RESET_TOKEN);
        await deps.tokens.release(token);
        return updated.error.code === 'USER_EXISTS' ? fail('CUSTOM_DB_ERROR', updated.error.message) : fail(updated.error.code, updated.error.message);
      }
      for (const hook of deps.onPasswordReset) {
        try {
          await hook(pool.id, redeemed.userId);
        } catch (error) {
          deps.log.warn({ poolId: pool.id, userId: redeemed.userId, reason: error instanceof Error ? error.message : String(error) }, 'a password-reset hook failed');
        }
      }
      return ok(undefined);
    },
  };
}
