import type { Kysely } from 'kysely';

// Migrations take Kysely<unknown>: they must not depend on today's table types.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pools_created_at').on('pools').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('username', 'text')
    .addColumn('username_key', 'text')
    .addColumn('email', 'text')
    .addColumn('email_key', 'text')
    .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('phone', 'text')
    .addColumn('phone_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('nickname', 'text')
    .addColumn('name', 'text')
    .addColumn('profile', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('logins_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_login', 'text')
    .addColumn('last_ip', 'text')
    .addColumn('signed_up', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('password_algorithm', 'text')
    .addColumn('external_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  // Unique per pool; NULLs never collide in either SQLite or PostgreSQL.
  await db.schema.createIndex('users_pool_email').unique().on('users').columns(['pool_id', 'email_key']).execute();
  await db.schema
    .createIndex('users_pool_username')
    .unique()
    .on('users')
    .columns(['pool_id', 'username_key'])
    .execute();
  await db.schema.createIndex('users_pool_phone').unique().on('users').columns(['pool_id', 'phone']).execute();
  // The exactly-once guarantee of lazy migration: one local row per custom-database id.
  await db.schema
    .createIndex('users_pool_external_id')
    .unique()
    .on('users')
    .columns(['pool_id', 'external_id'])
    .execute();
  await db.schema.createIndex('users_pool_created').on('users').columns(['pool_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('users').execute();
  await db.schema.dropTable('pools').execute();
  await db.schema.dropTable('settings').execute();
}
