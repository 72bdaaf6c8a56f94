import { describe } from 'vitest';
import { seedMysql } from '../../src/sample-db/index.js';
import { createMysqlDatabase, mysqlReachable, postgresReachable, type TestDatabase } from '../support/databases.js';
import { customUserStoreSuite, lazyMigrationSuite, type LegacyDatabase } from './e2e-suite.js';

// The lazy-migration suite keeps Gatehouse's own store on PostgreSQL, so it needs both.
const mysqlUp = await mysqlReachable();
const postgresUp = await postgresReachable();

function legacyMysql(): LegacyDatabase {
  let database: TestDatabase | undefined;
  return {
    templateId: 'mysql',
    async setup() {
      database = await createMysqlDatabase('gh_legacy');
      await seedMysql(database.url);
      return database.url;
    },
    teardown: async () => database?.drop(),
  };
}

describe.skipIf(!mysqlUp || !postgresUp)(`lazy migration from MySQL${mysqlUp ? '' : ' (MariaDB not reachable: skipped)'}`, () =>
  lazyMigrationSuite(legacyMysql()),
);
describe.skipIf(!mysqlUp)(`custom user store on MySQL${mysqlUp ? '' : ' (MariaDB not reachable: skipped)'}`, () =>
  customUserStoreSuite(legacyMysql()),
);
