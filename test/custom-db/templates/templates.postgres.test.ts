/** The PostgreSQL template against a real PostgreSQL, in a fresh database seeded with the sample. */
import { describe } from 'vitest';
import { seedPostgres } from '../../../src/sample-db/index.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../../support/databases.js';
import { describeTemplateConformance } from './conformance.js';

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
      const url = new URL(database.url);
      return {
        uri: { DB_CONNECTION_URI: database.url },
        fields: {
          DB_HOST: url.hostname,
          DB_PORT: url.port || '5432',
          DB_USERNAME: decodeURIComponent(url.username),
          DB_PASSWORD: decodeURIComponent(url.password),
          DB_DATABASE: database.name,
        },
      };
    },
    async teardown() {
      await database.drop();
    },
  });
} else {
  describe.skip('PostgreSQL template (skipped: PostgreSQL unreachable; set GATEHOUSE_REQUIRE_DATABASES=1 to fail instead)', () => {});
}
