import { describe } from 'vitest';
import { mysqlReachable, postgresReachable } from '../support/databases.js';
import { customUserStoreSuite, lazyMigrationSuite } from './e2e-suite.js';
import { legacyMysql } from '../support/legacy-databases.js';

// The lazy-migration suite keeps Gatehouse's own store on PostgreSQL, so it needs both.
const mysqlUp = await mysqlReachable();
const postgresUp = await postgresReachable();

describe.skipIf(!mysqlUp || !postgresUp)(`lazy migration from MySQL${mysqlUp ? '' : ' (MariaDB not reachable: skipped)'}`, () =>
  lazyMigrationSuite(legacyMysql()),
);
describe.skipIf(!mysqlUp)(`custom user store on MySQL${mysqlUp ? '' : ' (MariaDB not reachable: skipped)'}`, () =>
  customUserStoreSuite(legacyMysql()),
);
