/**
 * The MongoDB template against a real MongoDB, when MONGODB_URL names one (e.g.
 * mongodb://127.0.0.1:27017). None can be installed on the development machine, so without
 * it this file is skipped; the stand-in suite runs instead. With MONGODB_URL set, an
 * unreachable server fails the suite.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { seedMongo } from '../../../src/sample-db/index.js';
import { describeSkippedConformance, describeTemplateConformance, fieldsOf } from './conformance.js';

const mongodbUrl = process.env['MONGODB_URL'];

/** The server URL with `name` as its database, keeping credentials and options. */
function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

if (mongodbUrl === undefined || mongodbUrl === '') {
  describeSkippedConformance('MongoDB template against a real MongoDB (skipped: MONGODB_URL is not set)');
} else {
  const name = `gh_tpl_${randomBytes(4).toString('hex')}`;
  const databaseUrl = withDatabase(mongodbUrl, name);
  describeTemplateConformance({
    label: 'MongoDB (real)',
    templateId: 'mongodb',
    missingId: '0123456789abcdef01234567',
    async setup() {
      await seedMongo(databaseUrl);
      return { uri: { DB_CONNECTION_URI: databaseUrl }, fields: fieldsOf(mongodbUrl, name, 27017) };
    },
    async teardown() {
      const client = new MongoClient(databaseUrl, { serverSelectionTimeoutMS: 5000 });
      try {
        await client.db(name).dropDatabase();
      } finally {
        await client.close();
      }
    },
  });
}
