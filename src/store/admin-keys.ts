/** Queries of the admin_keys table: named admin keys, stored by the hash of their token. */
import type { Kysely } from 'kysely';
import type { AdminKeysTable, StoreSchema } from './schema.js';

/** A key as the API lists it: never its token or the token's hash. */
export interface AdminKey {
  id: string;
  name: string;
  poolId: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface AdminKeysRepository {
  insert(row: AdminKeysTable): Promise<void>;
  /** every key, revoked ones included, oldest first */
  list(): Promise<AdminKey[]>;
  get(id: string): Promise<AdminKey | undefined>;
  /** the key with this token hash, unless revoked */
  findActive(tokenHash: string): Promise<AdminKey | undefined>;
  /** true when this call revoked it (false: no such key, or revoked before) */
  revoke(id: string, at: string): Promise<boolean>;
}

const toKey = (row: AdminKeysTable): AdminKey => ({
  id: row.id,
  name: row.name,
  poolId: row.pool_id,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export function adminKeysRepository(db: Kysely<StoreSchema>): AdminKeysRepository {
  return {
    async insert(row) {
      await db.insertInto('admin_keys').values(row).execute();
    },
    async list() {
      const rows = await db.selectFrom('admin_keys').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toKey);
    },
    async get(id) {
      const row = await db.selectFrom('admin_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toKey(row);
    },
    async findActive(tokenHash) {
      const row = await db
        .selectFrom('admin_keys')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row && toKey(row);
    },
    async revoke(id, at) {
      const result = await db
        .updateTable('admin_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
