import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Applications (OAuth clients) of a pool. The secret is kept only as a hash.
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    /** JSON arrays of URIs */
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('id_token_signing_alg', 'text', (c) => c.notNull())
    /** `sha256:<hex>` of the secret; null for public clients (spa, native) */
    .addColumn('secret_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('applications_pool').on('applications').columns(['pool_id', 'created_at', 'id']).execute();

  // oidc-provider's models (sessions, interactions, grants, codes, tokens…), one row each.
  // The payload is the library's JSON; the columns beside it are what its look-ups need.
  await db.schema
    .createTable('oidc_models')
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('user_code', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('consumed_at', 'text')
    .addPrimaryKeyConstraint('oidc_models_pk', ['pool_id', 'kind', 'id'])
    .execute();
  await db.schema.createIndex('oidc_models_grant').on('oidc_models').columns(['pool_id', 'grant_id']).execute();
  await db.schema.createIndex('oidc_models_uid').on('oidc_models').columns(['pool_id', 'kind', 'uid']).execute();
  await db.schema.createIndex('oidc_models_user_code').on('oidc_models').columns(['pool_id', 'kind', 'user_code']).execute();
  await db.schema.createIndex('oidc_models_expires').on('oidc_models').column('expires_at').execute();

  // Signing keys per pool and algorithm. Generations: the highest is the next key
  // (published, not yet signing), the one below it signs, older ones stay published
  // until swept so tokens they signed still verify.
  await db.schema
    .createTable('oidc_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    /** JSON public JWK */
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    /** the private JWK's JSON, sealed with the secret key */
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('oidc_signing_keys_generation', ['pool_id', 'alg', 'generation'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_signing_keys').execute();
  await db.schema.dropTable('oidc_models').execute();
  await db.schema.dropTable('applications').execute();
}
