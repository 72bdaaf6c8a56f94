/**
 * The MongoDB template against the in-memory MongoDB wire-protocol STAND-IN (not MongoDB; see
 * test/support/mongo-wire-standin.ts), through the official driver. The same suite runs
 * against a real MongoDB in templates.mongodb-real.test.ts when MONGODB_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { seedMongo } from '../../../src/sample-db/index.js';
import { startMongoWireStandin, type MongoWireStandin } from '../../support/mongo-wire-standin.js';
import { describeTemplateConformance } from './conformance.js';

let standin: MongoWireStandin;

describeTemplateConformance({
  label: 'MongoDB wire-protocol stand-in (in-memory, not MongoDB)',
  templateId: 'mongodb',
  missingId: '0123456789abcdef01234567',
  downEnv: { DB_CONNECTION_URI: 'mongodb://127.0.0.1:1/nothing' },
  async setup() {
    standin = await startMongoWireStandin();
    const name = `gh_tpl_${randomBytes(4).toString('hex')}`;
    await seedMongo(`${standin.uri}/${name}`);
    return {
      uri: { DB_CONNECTION_URI: `${standin.uri}/${name}` },
      fields: { DB_HOST: '127.0.0.1', DB_PORT: String(standin.port), DB_DATABASE: name },
    };
  },
  async teardown() {
    await standin.close();
  },
});
