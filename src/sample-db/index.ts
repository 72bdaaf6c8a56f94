// The embedded database (embedded.ts, `npm run sample-db`) is imported on its own: it loads PGlite.
export { seedMongo, seedMysql, seedPostgres, type SeedResult } from './seed.js';
export { startSampleWebService, type SampleWebService, type SampleWebServiceOptions } from './web-service.js';
export { SAMPLE_USERS } from './sample-users.data.js';
export { samplePassword, type SampleUser } from './sample-user.js';
export {
  MONGO_COLLECTION,
  MONGO_UNIQUE_FIELDS,
  MYSQL_DDL,
  POSTGRES_DDL,
  PROFILE_COLUMNS,
  type ProfileField,
} from './schema.js';
