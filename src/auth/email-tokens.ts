/**
 * The tokens in password-reset and verification links: 32 random bytes (base64url, so
 * they go into a URL as they are), stored only as their SHA-256, single-use, with an
 * expiry. A forged token is just an unknown one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmailTokenPurpose, EmailTokensRepository, RedeemedToken } from '../store/email-tokens.js';
import { normaliseEmail } from '../domain/user.js';

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface EmailTokens {
  /** answers the token for the link; only its hash is stored */
  issue(input: { poolId: string; purpose: EmailTokenPurpose; userId: string; email: string; validMs: number }): Promise<string>;
  /** marks the token used; undefined when it is unknown, used, expired, or of another pool or purpose */
  redeem(poolId: string, purpose: EmailTokenPurpose, token: string): Promise<RedeemedToken | undefined>;
  /** makes a redeemed token usable again, when what it was redeemed for failed for a passing reason */
  release(token: string): Promise<void>;
}

export function emailTokens(repository: EmailTokensRepository, now: () => number): EmailTokens {
  return {
    async issue({ poolId, purpose, userId, email, validMs }) {
      const token = randomBytes(32).toString('base64url');
      const at = now();
      // Expired tokens can never be redeemed: dropping them here keeps the table small without a timer.
      await repository.sweep(at);
      await repository.insert({ tokenHash: hashOf(token), poolId, purpose, userId, email: normaliseEmail(email), now: at, expiresAt: at + validMs });
      return token;
    },
    redeem: (poolId, purpose, token) => repository.redeem(poolId, purpose, hashOf(token), now()),
    release: (token) => repository.release(hashOf(token)),
  };
}
