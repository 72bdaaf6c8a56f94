/**
 * oidc-provider's state (sessions, interactions, grants, codes, tokens) in the own
 * store, one row per model instance and pool, so every instance on the store sees the
 * same sessions and tokens. The library's payload is kept as JSON; the columns beside
 * it are what its look-ups by uid, user code and grant need.
 */
import type { Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

export type ModelPayload = Record<string, unknown>;

export interface OidcModelsRepository {
  upsert(poolId: string, kind: string, id: string, payload: ModelPayload, expiresAt: Date | null): Promise<void>;
  /** undefined when absent or expired; a consumed model answers `consumed` (epoch seconds) in its payload */
  find(poolId: string, kind: string, id: string): Promise<ModelPayload | undefined>;
  findByUid(poolId: string, kind: string, uid: string): Promise<ModelPayload | undefined>;
  findByUserCode(poolId: string, kind: string, userCode: string): Promise<ModelPayload | undefined>;
  consume(poolId: string, kind: string, id: string): Promise<void>;
  destroy(poolId: string, kind: string, id: string): Promise<void>;
  /** every model of the grant, whatever its kind: a revoked grant takes its tokens with it */
  revokeByGrantId(poolId: string, grantId: string): Promise<void>;
  /** Ends every session, grant and token of one user: their refresh tokens stop working at once. */
  revokeByAccount(poolId: string, accountId: string): Promise<number>;
  /** deletes expired rows; answers how many */
  sweepExpired(now?: Date): Promise<number>;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function oidcModelsRepository(db: Kysely<StoreSchema>): OidcModelsRepository {
  const live = (row: { payload: string; expires_at: string | null; consumed_at: string | null } | undefined) => {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= new Date().toISOString()) return undefined;
    const payload = JSON.parse(row.payload) as ModelPayload;
    if (row.consumed_at !== null) payload['consumed'] = Math.floor(Date.parse(row.consumed_at) / 1000);
    return payload;
  };
  const columns = ['payload', 'expires_at', 'consumed_at'] as const;

  return {
    async upsert(poolId, kind, id, payload, expiresAt) {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: text(payload['grantId']),
        account_id: text(payload['accountId']),
        uid: text(payload['uid']),
        user_code: text(payload['userCode']),
        expires_at: expiresAt === null ? null : expiresAt.toISOString(),
      };
      await db
        .insertInto('oidc_models')
        .values({ pool_id: poolId, kind, id, consumed_at: null, ...row })
        .onConflict((oc) => oc.columns(['pool_id', 'kind', 'id']).doUpdateSet(row))
        .execute();
    },
    async find(poolId, kind, id) {
      return live(
        await db
          .selectFrom('oidc_models')
          .select(columns)
          .where('pool_id', '=', poolId)
          .where('kind', '=', kind)
          .where('id', '=', id)
          .executeTakeFirst(),
      );
    },
    async findByUid(poolId, kind, uid) {
      return live(
        await db
          .selectFrom('oidc_models')
          .select(columns)
          .where('pool_id', '=', poolId)
          .where('kind', '=', kind)
          .where('uid', '=', uid)
          .executeTakeFirst(),
      );
    },
    async findByUserCode(poolId, kind, userCode) {
      return live(
        await db
          .selectFrom('oidc_models')
          .select(columns)
          .where('pool_id', '=', poolId)
          .where('kind', '=', kind)
          .where('user_code', '=', userCode)
          .executeTakeFirst(),
      );
    },
    async consume(poolId, kind, id) {
      await db
        .updateTable('oidc_models')
        .set({ consumed_at: new Date().toISOString() })
        .where('pool_id', '=', poolId)
        .where('kind', '=', kind)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .execute();
    },
    async destroy(poolId, kind, id) {
      await db.deleteFrom('oidc_models').where('pool_id', '=', poolId).where('kind', '=', kind).where('id', '=', id).execute();
    },
    async revokeByGrantId(poolId, grantId) {
      await db.deleteFrom('oidc_models').where('pool_id', '=', poolId).where('grant_id', '=', grantId).execute();
    },
    async revokeByAccount(poolId, accountId) {
      const result = await db.deleteFrom('oidc_models').where('pool_id', '=', poolId).where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async sweepExpired(now = new Date()) {
      const result = await db.deleteFrom('oidc_models').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
