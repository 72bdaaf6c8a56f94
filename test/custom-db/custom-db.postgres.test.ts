import { describe } from 'vitest';
import { postgresReachable } from '../support/databases.js';
import { customUserStoreSuite, lazyMigrationSuite } from './e2e-suite.js';
import { legacyPostgres } from '../support/legacy-databases.js';

const up = await postgresReachable();

describe.skipIf(!up)(`lazy migration from PostgreSQL${up ? '' : ' (PostgreSQL not reachable: skipped)'}`, () =>
  lazyMigrationSuite(legacyPostgres()),
);
describe.skipIf(!up)(`custom user store on PostgreSQL${up ? '' : ' (PostgreSQL not reachable: skipped)'}`, () =>
  customUserStoreSuite(legacyPostgres()),
);
