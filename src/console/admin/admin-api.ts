/**
 * The console's calls for admin keys and the audit log, beside client.ts's `api` (same
 * `request`, same error handling) so these pages stay in their own files.
 */
import { request } from '../api/client.js';
import type { AdminKey, AdminKeyInput, AuditPage, CreatedAdminKey } from '../api/types.js';

export const adminApi = {
  listKeys: async (): Promise<AdminKey[]> => (await request<{ list: AdminKey[] }>('GET', '/api/v1/admin-keys')).list,
  createKey: (input: AdminKeyInput) => request<CreatedAdminKey>('POST', '/api/v1/admin-keys', { body: input }),
  revokeKey: (keyId: string) => request<undefined>('DELETE', `/api/v1/admin-keys/${encodeURIComponent(keyId)}`),
  audit: (query: { page: number; limit: number; poolId?: string | undefined }) => {
    const params = new URLSearchParams({ page: String(query.page), limit: String(query.limit) });
    if (query.poolId !== undefined) params.set('poolId', query.poolId);
    return request<AuditPage>('GET', `/api/v1/audit?${params.toString()}`);
  },
};
