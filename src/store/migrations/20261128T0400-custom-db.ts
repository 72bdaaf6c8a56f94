import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('custom_db_connections')
    .addColumn('pool_id', 'text', (c) => c.primaryKey().references('pools.id').onDelete('cascade'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    /** JSON; secrets inside are sealed with the secret key */
    .addColumn('connection', 'text')
    /** JSON object of sealed values */
    .addColumn('env', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('scripts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('allowed_hosts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('connection_logs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('script', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connection_logs_pool_at').on('connection_logs').columns(['pool_id', 'at', 'id']).execute();

  // A migrated user an admin deleted: the next login must not migrate it back.
  await db.schema
    .createTable('user_tombstones')
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_tombstones_pk', ['pool_id', 'external_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_tombstones').execute();
  await db.schema.dropTable('connection_logs').execute();
  await db.schema.dropTable('custom_db_connections').execute();
}
