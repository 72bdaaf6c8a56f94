/**
 * Queries of the email_tokens table: password-reset and email-verification tokens, kept
 * as SHA-256 hashes. Redeeming is one conditional UPDATE, so of any number of concurrent
 * redemptions of one token, on any number of instances, exactly one succeeds.
 */
import type { Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

export type EmailTokenPurpose = 'reset' | 'verify';

export interface NewEmailToken {
  tokenHash: string;
  poolId: string;
  purpose: EmailTokenPurpose;
  userId: string;
  email: string;
  /** epoch milliseconds */
  now: number;
  expiresAt: number;
}

export interface RedeemedToken {
  userId: string;
  email: string;
}

export interface EmailTokensRepository {
  insert(token: NewEmailToken): Promise<void>;
  /** Marks the token used and answers whom it was for; undefined when unknown, used, expired or of another pool or purpose. */
  redeem(poolId: string, purpose: EmailTokenPurpose, tokenHash: string, now: number): Promise<RedeemedToken | undefined>;
  /** Makes a redeemed token usable again: what it was redeemed for could not be done (a script failed). */
  release(tokenHash: string): Promise<void>;
  /** Drops tokens that expired before `now` (used or not): they can never be redeemed. */
  sweep(now: number): Promise<void>;
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function emailTokensRepository(db: Kysely<StoreSchema>): EmailTokensRepository {
  return {
    async insert(token) {
      await db
        .insertInto('email_tokens')
        .values({
          token_hash: token.tokenHash,
          pool_id: token.poolId,
          purpose: token.purpose,
          user_id: token.userId,
          email: token.email,
          created_at: iso(token.now),
          expires_at: iso(token.expiresAt),
          used_at: null,
        })
        .execute();
    },
    async redeem(poolId, purpose, tokenHash, now) {
      const row = await db
        .updateTable('email_tokens')
        .set({ used_at: iso(now) })
        .where('token_hash', '=', tokenHash)
        .where('pool_id', '=', poolId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', iso(now))
        .returning(['user_id', 'email'])
        .executeTakeFirst();
      return row && { userId: row.user_id, email: row.email };
    },
    async release(tokenHash) {
      await db.updateTable('email_tokens').set({ used_at: null }).where('token_hash', '=', tokenHash).execute();
    },
    async sweep(now) {
      await db.deleteFrom('email_tokens').where('expires_at', '<=', iso(now)).execute();
    },
  };
}
