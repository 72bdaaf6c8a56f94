/** Key/value settings shared by every instance on one store (keys, admin token hash). */
import type { Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  /** Writes only when the key is absent; answers whether this call wrote it. */
  insertIfAbsent(key: string, value: string): Promise<boolean>;
  set(key: string, value: string): Promise<void>;
}

export function settingsRepository(db: Kysely<StoreSchema>): SettingsRepository {
  return {
    async get(key) {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async insertIfAbsent(key, value) {
      const result = await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async set(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
