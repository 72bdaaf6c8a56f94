/**
 * Import the rest from the sample database in the in-memory MongoDB wire-protocol STAND-IN
 * (not MongoDB; test/support/mongo-wire-standin.ts), with the MongoDB template.
 */
import { describe } from 'vitest';
import { legacyMongoStandin } from '../support/legacy-databases.js';
import { importRestSuite } from './import-rest-suite.js';

describe('import the rest from the MongoDB wire-protocol stand-in (in-memory, not MongoDB)', () => importRestSuite(legacyMongoStandin()));
