/**
 * The PostgreSQL template, saved unchanged, against the embedded sample database that
 * `npm run sample-db` starts (PGlite over the PostgreSQL wire protocol), through the same
 * startEmbeddedSampleDb the command uses. The template's pg Pool opens several connections
 * and runs REPEATABLE READ READ ONLY transactions; the sample's server serialises them.
 */
import { startEmbeddedSampleDb, type EmbeddedSampleDb } from '../../../src/sample-db/embedded.js';
import { describeTemplateConformance } from './conformance.js';

let sample: EmbeddedSampleDb;

describeTemplateConformance({
  label: 'embedded sample database (PGlite over the wire protocol)',
  templateId: 'postgres',
  missingId: '999999999',
  downEnv: { DB_CONNECTION_URI: 'postgres://postgres@127.0.0.1:1/postgres' },
  async setup() {
    sample = await startEmbeddedSampleDb({ port: 0 });
    return {
      uri: { DB_CONNECTION_URI: sample.uri },
      fields: { DB_HOST: sample.host, DB_PORT: String(sample.port), DB_USERNAME: 'postgres', DB_PASSWORD: '', DB_DATABASE: 'postgres' },
    };
  },
  async teardown() {
    await sample.close();
  },
});
