/** Queries of the per-pool signing keys of the OpenID providers. */
import type { Kysely } from 'kysely';
import type { OidcSigningKeysTable, StoreSchema } from './schema.js';

export type SigningKeyRow = OidcSigningKeysTable;

export interface OidcKeysRepository {
  /** the pool's keys, newest generation first */
  list(poolId: string): Promise<SigningKeyRow[]>;
  /** false when another instance wrote that (pool, alg, generation) first */
  insertIfAbsent(row: SigningKeyRow): Promise<boolean>;
  /** deletes keys of generations below `keepFrom` */
  deleteOlderThan(poolId: string, alg: string, keepFrom: number): Promise<void>;
}

export function oidcKeysRepository(db: Kysely<StoreSchema>): OidcKeysRepository {
  return {
    async list(poolId) {
      const rows = await db
        .selectFrom('oidc_signing_keys')
        .selectAll()
        .where('pool_id', '=', poolId)
        .orderBy('generation', 'desc')
        .orderBy('alg')
        .execute();
      return rows.map((row) => ({ ...row, generation: Number(row.generation) }));
    },
    async insertIfAbsent(row) {
      const result = await db
        .insertInto('oidc_signing_keys')
        .values(row)
        .onConflict((oc) => oc.columns(['pool_id', 'alg', 'generation']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async deleteOlderThan(poolId, alg, keepFrom) {
      await db
        .deleteFrom('oidc_signing_keys')
        .where('pool_id', '=', poolId)
        .where('alg', '=', alg)
        .where('generation', '<', keepFrom)
        .execute();
    },
  };
}
