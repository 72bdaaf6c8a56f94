import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer')
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON array of the first errors (bounded by the jobs repository)
    .addColumn('errors', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cursor', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_pool_started').on('jobs').columns(['pool_id', 'started_at', 'id']).execute();
  // At most one running job of a kind per pool, whichever instance starts it: starting a
  // job is an insert this index refuses while another one runs. Partial unique indexes
  // exist in both SQLite and PostgreSQL; Kysely's builder would bind 'running' as a
  // parameter, which DDL does not take, hence the raw statement.
  await sql`create unique index jobs_one_running on jobs (pool_id, kind) where status = 'running'`.execute(db);
  // The job that last wrote an imported user: a second line of the same file naming the
  // same user finds it written by its own job and is reported as a duplicate, without
  // the import keeping every identifier of the file in memory.
  await db.schema.alterTable('users').addColumn('import_job_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('import_job_id').execute();
  await db.schema.dropTable('jobs').execute();
}
