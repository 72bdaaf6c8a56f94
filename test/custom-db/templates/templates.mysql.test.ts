/** The MySQL template against a real MariaDB, in a fresh database seeded with the sample. */
import { seedMysql } from '../../../src/sample-db/index.js';
import { createMysqlDatabase, mysqlReachable, type TestDatabase } from '../../support/databases.js';
import { describeSkippedConformance, describeTemplateConformance, fieldsOf } from './conformance.js';

// Throws (failing this file) when GATEHOUSE_REQUIRE_DATABASES=1 and MariaDB is down.
const reachable = await mysqlReachable();

if (reachable) {
  let database: TestDatabase;
  describeTemplateConformance({
    label: 'MariaDB (real)',
    templateId: 'mysql',
    missingId: '999999999',
    downEnv: { DB_CONNECTION_URI: 'mysql://root@127.0.0.1:1/nothing' },
    async setup() {
      database = await createMysqlDatabase('gh_tpl');
      await seedMysql(database.url);
      return { uri: { DB_CONNECTION_URI: database.url }, fields: fieldsOf(database.url, database.name, 3306) };
    },
    async teardown() {
      await database.drop();
    },
  });
} else {
  describeSkippedConformance('MySQL template (skipped: MariaDB/MySQL unreachable; set GATEHOUSE_REQUIRE_DATABASES=1 to fail instead)');
}
