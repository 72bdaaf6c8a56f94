/** Import the rest from the sample legacy user web service (its export endpoint), with the web-service template. */
import { describe } from 'vitest';
import { legacyWebService } from '../support/legacy-databases.js';
import { importRestSuite } from './import-rest-suite.js';

describe('import the rest from the sample web service', () => importRestSuite(legacyWebService()));
