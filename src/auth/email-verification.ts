/**
 * Email verification: a link mailed on an administrator's request, or on registration
 * when the pool's email settings ask for it; redeeming it sets `emailVerified`. The token
 * remembers the address it was sent to, so a link never verifies an address set later.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { CustomDbFailureCode } from '../domain/error-codes.js';
import type { Pool } from '../domain/pool.js';
import { normaliseEmail, type User } from '../domain/user.js';
import type { EmailSettingsRepository } from '../store/email-settings.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { Mailer } from '../mail/mailer.js';
import { verificationLinkUrl } from '../mail/links.js';
import { verificationMail } from '../mail/templates.js';
import type { EmailTokens } from './email-tokens.js';
import type { BackgroundWork } from './background.js';

export const VERIFICATION_TOKEN_HOURS = 24;
export const INVALID_VERIFICATION_TOKEN = 'This verification link is unknown, already used or expired; ask for a new one';

type DirectoryFor = (pool: Pool) => Promise<UserDirectory>;

export interface EmailVerification {
  /** Mails a verification link to the user's address (admin request). */
  send(pool: Pool, userId: string): Promise<Result<void, 'USER_NOT_FOUND' | 'VALIDATION_ERROR' | CustomDbFailureCode>>;
  verify(pool: Pool, token: string): Promise<Result<void, 'INVALID_TOKEN' | CustomDbFailureCode>>;
  /**
   * The pool's directories, whose `register` also mails a verification link (in the
   * background) when the pool's settings ask for it: whoever registers a user, the API or
   * a hosted page, goes through here.
   */
  verifyingOnRegistration(directoryFor: DirectoryFor): DirectoryFor;
}

export function emailVerification(deps: {
  directoryFor: DirectoryFor;
  tokens: EmailTokens;
  settings: EmailSettingsRepository;
  mailer: Mailer;
  publicUrl(): string;
  background: BackgroundWork;
}): EmailVerification {
  async function mailLink(pool: Pool, user: User & { email: string }): Promise<void> {
    const token = await deps.tokens.issue({
      poolId: pool.id,
      purpose: 'verify',
      userId: user.id,
      email: user.email,
      validMs: VERIFICATION_TOKEN_HOURS * 3_600_000,
    });
    const link = verificationLinkUrl(deps.publicUrl(), pool.id, token);
    await deps.mailer.send({ poolId: pool.id, to: user.email, ...verificationMail(pool.name, link) });
  }

  const withEmail = (user: User): user is User & { email: string } => user.email !== null && user.email !== '';

  return {
    async send(pool, userId) {
      const directory = await deps.directoryFor(pool);
      const found = await directory.find({ id: userId });
      if (!found.ok) return found;
      if (found.value === null) return fail('USER_NOT_FOUND', `No user with id ${userId} in this pool`);
      if (!withEmail(found.value)) return fail('VALIDATION_ERROR', 'userId: this user has no email address to verify');
      await mailLink(pool, found.value);
      return ok(undefined);
    },

    async verify(pool, token) {
      const redeemed = await deps.tokens.redeem(pool.id, 'verify', token);
      if (!redeemed) return fail('INVALID_TOKEN', INVALID_VERIFICATION_TOKEN);
      const directory = await deps.directoryFor(pool);
      const found = await directory.find({ id: redeemed.userId });
      if (!found.ok) {
        await deps.tokens.release(token);
        return found;
      }
      const user = found.value;
      if (user === null || user.email === null || normaliseEmail(user.email) !== redeemed.email) {
        return fail('INVALID_TOKEN', INVALID_VERIFICATION_TOKEN);
      }
      const updated = await directory.update(user.id, { emailVerified: true });
      if (!updated.ok) {
        if (updated.error.code === 'USER_NOT_FOUND') return fail('INVALID_TOKEN', INVALID_VERIFICATION_TOKEN);
        await deps.tokens.release(token);
        return fail(updated.error.code, updated.error.message);
      }
      return ok(undefined);
    },

    verifyingOnRegistration(directoryFor) {
      return async (pool) => {
        const directory = await directoryFor(pool);
        return {
          ...directory,
          async register(input, request) {
            const registered = await directory.register(input, request);
            if (registered.ok && withEmail(registered.value)) {
              const user = registered.value;
              deps.background.run('verification on registration', async () => {
                if ((await deps.settings.get(pool.id)).verifyEmailOnRegistration) await mailLink(pool, user);
              });
            }
            return registered;
          },
        };
      };
    },
  };
}
