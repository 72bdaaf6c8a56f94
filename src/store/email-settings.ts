/** Queries of pool_email_settings: a pool's email behaviour; a pool without a row has the defaults. */
import type { Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

export interface EmailSettings {
  /** send a verification email when an end user registers */
  verifyEmailOnRegistration: boolean;
}

export const DEFAULT_EMAIL_SETTINGS: EmailSettings = { verifyEmailOnRegistration: false };

export interface EmailSettingsRepository {
  get(poolId: string): Promise<EmailSettings>;
  save(poolId: string, settings: EmailSettings): Promise<EmailSettings>;
}

export function emailSettingsRepository(db: Kysely<StoreSchema>): EmailSettingsRepository {
  return {
    async get(poolId) {
      const row = await db.selectFrom('pool_email_settings').selectAll().where('pool_id', '=', poolId).executeTakeFirst();
      return row ? { verifyEmailOnRegistration: row.verify_email_on_registration === 1 } : { ...DEFAULT_EMAIL_SETTINGS };
    },
    async save(poolId, settings) {
      const values = {
        verify_email_on_registration: settings.verifyEmailOnRegistration ? 1 : 0,
        updated_at: new Date().toISOString(),
      };
      await db
        .insertInto('pool_email_settings')
        .values({ pool_id: poolId, ...values })
        .onConflict((oc) => oc.column('pool_id').doUpdateSet(values))
        .execute();
      return settings;
    },
  };
}
