import type { Kysely } from 'kysely';

// A counter bumped by every save of a connection, so a request can ask "has it changed?"
// by reading one integer instead of the whole row with its scripts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('custom_db_connections')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('custom_db_connections').dropColumn('revision').execute();
}
