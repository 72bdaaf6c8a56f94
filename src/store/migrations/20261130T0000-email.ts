import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Password-reset and email-verification tokens. Only the SHA-256 of a token is kept, so
  // a copy of the store cannot be turned into working links.
  await db.schema
    .createTable('email_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    /** the local user's id, or the custom user store's id of the user */
    .addColumn('user_id', 'text', (c) => c.notNull())
    /** the address the mail went to: verifying it must not verify an address set later */
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('email_tokens_expiry').on('email_tokens').columns(['expires_at']).execute();

  // Development mail (no SMTP server configured): the last messages of each pool.
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_pool_at').on('outbox').columns(['pool_id', 'at', 'id']).execute();

  // A pool's email settings; a pool without a row has the defaults.
  await db.schema
    .createTable('pool_email_settings')
    .addColumn('pool_id', 'text', (c) => c.primaryKey().references('pools.id').onDelete('cascade'))
    .addColumn('verify_email_on_registration', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pool_email_settings').execute();
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('email_tokens').execute();
}
