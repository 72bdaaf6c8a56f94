import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The throttle now counts every attempt before the password is checked (so racing
  // guesses cannot all pass a check made before any of them was recorded), and keys an
  // account by its local user id rather than by the identifier that named it. The old
  // per-identifier failure counts mean something else; they are transient (one window)
  // and are dropped rather than carried over.
  await db.schema.dropTable('login_failures').execute();
  await db.schema
    .createTable('login_attempts')
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_attempts_pk', ['pool_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_attempts').execute();
  await db.schema
    .createTable('login_failures')
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_failures_pk', ['pool_id', 'key'])
    .execute();
}
