/**
 * The console's calls for a pool's mail: its development outbox and the two messages an
 * administrator can have sent to a user. Kept beside client.ts's `api` (same `request`,
 * same error handling) so the email pages stay in their own files.
 */
import { request } from '../api/client.js';
import type { ForgotPasswordInput, OutboxMessage, ResponseOf } from '../api/types.js';

const pool = (poolId: string) => `/api/v1/pools/${encodeURIComponent(poolId)}`;

export const emailApi = {
  outbox: async (poolId: string): Promise<OutboxMessage[]> =>
    (await request<ResponseOf<'/api/v1/pools/{poolId}/outbox', 'get'>>('GET', `${pool(poolId)}/outbox`)).list,
  sendVerificationEmail: (poolId: string, userId: string) =>
    request<undefined>('POST', `${pool(poolId)}/users/${encodeURIComponent(userId)}/send-verification-email`),
  /**
   * The contract has no administrator's reset: this is the end user's forgot-password
   * request for the user's address, which answers 202 whether or not a mail went out.
   */
  sendPasswordReset: (poolId: string, email: string) =>
    request<undefined>('POST', `${pool(poolId)}/auth/forgot-password`, { body: { email } satisfies ForgotPasswordInput }),
};
