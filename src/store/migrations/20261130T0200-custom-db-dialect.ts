import type { Kysely } from 'kysely';

// Which contract a connection's scripts are written to: Gatehouse's own, or Auth0's custom
// database scripts run unchanged through the Auth0 adapter (custom-db/auth0/).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('custom_db_connections')
    .addColumn('dialect', 'text', (c) => c.notNull().defaultTo('gatehouse'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('custom_db_connections').dropColumn('dialect').execute();
}
