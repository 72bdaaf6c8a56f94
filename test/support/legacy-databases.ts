/**
 * The "old databases" of the end-to-end suites: a fresh sample database per suite, seeded
 * with the sample users, on each kind the templates target.
 */
import { randomBytes } from 'node:crypto';
import { seedMongo, seedMysql, seedPostgres, startSampleWebService, type SampleWebService } from '../../src/sample-db/index.js';
import type { TemplateId } from '../../src/custom-db/templates/index.js';
import { createMysqlDatabase, createPostgresDatabase, type TestDatabase } from './databases.js';
import { startMongoWireStandin, type MongoWireStandin } from './mongo-wire-standin.js';

export interface LegacyDatabase {
  templateId: TemplateId;
  /** creates and seeds a fresh sample database and answers its URI */
  setup(): Promise<string>;
  teardown(): Promise<void>;
}

function sqlDatabase(templateId: 'postgres' | 'mysql', create: typeof createPostgresDatabase, seed: (uri: string) => Promise<unknown>): LegacyDatabase {
  let database: TestDatabase | undefined;
  return {
    templateId,
    async setup() {
      database = await create('gh_legacy');
      await seed(database.url);
      return database.url;
    },
    teardown: async () => database?.drop(),
  };
}

export const legacyPostgres = (): LegacyDatabase => sqlDatabase('postgres', createPostgresDatabase, seedPostgres);
export const legacyMysql = (): LegacyDatabase => sqlDatabase('mysql', createMysqlDatabase, seedMysql);

/** The in-memory MongoDB wire-protocol STAND-IN (not MongoDB; see mongo-wire-standin.ts). */
export function legacyMongoStandin(): LegacyDatabase {
  let standin: MongoWireStandin | undefined;
  return {
    templateId: 'mongodb',
    async setup() {
      standin = await startMongoWireStandin();
      const uri = `${standin.uri}/gh_legacy_${randomBytes(4).toString('hex')}`;
      await seedMongo(uri);
      return uri;
    },
    teardown: async () => standin?.close(),
  };
}

/** The sample legacy user web service (no API key). */
export function legacyWebService(): LegacyDatabase {
  let service: SampleWebService | undefined;
  return {
    templateId: 'webservice',
    async setup() {
      service = await startSampleWebService({ port: 0, host: '127.0.0.1' });
      return service.url;
    },
    teardown: async () => service?.close(),
  };
}
