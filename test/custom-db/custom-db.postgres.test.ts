import { describe } from 'vitest';
import { seedPostgres } from '../../src/sample-db/index.js';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { customUserStoreSuite, lazyMigrationSuite, type LegacyDatabase } from './e2e-suite.js';

const up = await postgresReachable();

function legacyPostgres(): LegacyDatabase {
  let database: TestDatabase | undefined;
  return {
    templateId: 'postgres',
    async setup() {
      database = await createPostgresDatabase('gh_legacy');
      await seedPostgres(database.url);
      return database.url;
    },
    teardown: async () => database?.drop(),
  };
}

describe.skipIf(!up)(`lazy migration from PostgreSQL${up ? '' : ' (PostgreSQL not reachable: skipped)'}`, () =>
  lazyMigrationSuite(legacyPostgres()),
);
describe.skipIf(!up)(`custom user store on PostgreSQL${up ? '' : ' (PostgreSQL not reachable: skipped)'}`, () =>
  customUserStoreSuite(legacyPostgres()),
);
