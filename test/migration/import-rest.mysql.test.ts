/** Import the rest from the sample database on a real MariaDB, with the MySQL template. */
import { describe } from 'vitest';
import { mysqlReachable } from '../support/databases.js';
import { legacyMysql } from '../support/legacy-databases.js';
import { importRestSuite } from './import-rest-suite.js';

const up = await mysqlReachable();

describe.skipIf(!up)(`import the rest from MariaDB${up ? ' (real)' : ' (not reachable: skipped)'}`, () => importRestSuite(legacyMysql()));
