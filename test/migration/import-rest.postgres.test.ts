/** Import the rest from the sample database on a real PostgreSQL, with the PostgreSQL template. */
import { describe } from 'vitest';
import { postgresReachable } from '../support/databases.js';
import { legacyPostgres } from '../support/legacy-databases.js';
import { importRestSuite } from './import-rest-suite.js';

const up = await postgresReachable();

describe.skipIf(!up)(`import the rest from PostgreSQL${up ? ' (real)' : ' (not reachable: skipped)'}`, () => importRestSuite(legacyPostgres()));
