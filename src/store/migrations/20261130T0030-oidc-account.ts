import type { Kysely } from 'kysely';

/**
 * The account an OpenID session, grant or token belongs to, in its own column, so a
 * password reset can end all of one user's sessions and refresh tokens in one statement.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('oidc_models').addColumn('account_id', 'text').execute();
  await db.schema.createIndex('oidc_models_account').on('oidc_models').columns(['pool_id', 'account_id']).execute();
}
