/** The PostgreSQL template against a real PostgreSQL, in a fresh database seeded with the sample. */
import { seedPostgres } from '../../../src/sample-db/index.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../../support/databases.js';
import { describeSkippedConformance, describeTemplateConformance, fieldsOf } from './conformance.js';

// Throws (failing this file) when GATEHOUSE_REQUIRE_DATABASES=1 and PostgreSQL is down.
const reachable = await postgresReachable();

if (reachable) {
  let database: TestDatabase;
  describeTemplateConformance({
    label: 'PostgreSQL (real)',
    templateId: 'postgres',
    missingId: '999999999',
    downEnv: { DB_CONNECTION_URI: 'postgres://postgres@127.0.0.1:1/nothing' },
    async setup() {
      database = await createPostgresDatabase('gh_tpl');
      await seedPostgres(database.url);
      return { uri: { DB_CONNECTION_URI: database.url }, fields: fieldsOf(database.url, database.name, 5432) };
    },
    async teardown() {
      await database.drop();
    },
  });
} else {
  describeSkippedConformance('PostgreSQL template (skipped: PostgreSQL unreachable; set GATEHOUSE_REQUIRE_DATABASES=1 to fail instead)');
}
