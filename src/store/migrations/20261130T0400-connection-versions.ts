import { sql, type Kysely } from 'kysely';

/**
 * Every save of a pool's connection kept as a version (who, when, note), sealed exactly as
 * the connection itself is, so a restore brings its secrets back without them ever being
 * shown; and the connection's circuit breaker and concurrency cap settings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [column, fallback] of [
    ['max_concurrency', 50],
    ['breaker_threshold', 5],
    ['breaker_cooldown_ms', 30_000],
  ] as const) {
    await db.schema
      .alterTable('custom_db_connections')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(fallback))
      .execute();
  }

  await db.schema
    .createTable('custom_db_versions')
    .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    /** counts from 1 per pool */
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('saved_at', 'text', (c) => c.notNull())
    .addColumn('saved_by_key_id', 'text', (c) => c.notNull())
    .addColumn('saved_by_name', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    // The connection as it was saved: the same columns as custom_db_connections, secrets sealed.
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    // after 20261130T0200-custom-db-dialect: a version restores the dialect its scripts are written in
    .addColumn('dialect', 'text', (c) => c.notNull().defaultTo('gatehouse'))
    .addColumn('connection', 'text')
    .addColumn('env', 'text', (c) => c.notNull())
    .addColumn('scripts', 'text', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('allowed_hosts', 'text', (c) => c.notNull())
    .addColumn('max_concurrency', 'integer', (c) => c.notNull())
    .addColumn('breaker_threshold', 'integer', (c) => c.notNull())
    .addColumn('breaker_cooldown_ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('custom_db_versions_pk', ['pool_id', 'version'])
    .execute();

  // A connection saved before versions were kept becomes its pool's version 1, so it can be
  // restored like any later one.
  await sql`
    INSERT INTO custom_db_versions (pool_id, version, saved_at, saved_by_key_id, saved_by_name, note, enabled, mode, dialect,
      connection, env, scripts, timeout_ms, allowed_hosts, max_concurrency, breaker_threshold, breaker_cooldown_ms)
    SELECT pool_id, 1, updated_at, 'owner', 'owner', 'Saved before versions were kept', enabled, mode, dialect,
      connection, env, scripts, timeout_ms, allowed_hosts, max_concurrency, breaker_threshold, breaker_cooldown_ms
    FROM custom_db_connections`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('custom_db_versions').execute();
  for (const column of ['max_concurrency', 'breaker_threshold', 'breaker_cooldown_ms']) {
    await db.schema.alterTable('custom_db_connections').dropColumn(column).execute();
  }
}
