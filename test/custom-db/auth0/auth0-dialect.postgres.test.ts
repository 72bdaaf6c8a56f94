import pg from 'pg';
import { describe } from 'vitest';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../../support/databases.js';
import { customUserStoreWithAuth0Scripts, lazyMigrationWithAuth0Scripts, type Auth0LegacyDatabase } from './auth0-sql-suite.js';
import { POSTGRES_AUTH0_SCRIPTS, POSTGRES_GET_USER_BY_ID, POSTGRES_SCHEMA } from './auth0-scripts.postgres.js';

const up = await postgresReachable();

function legacyPostgres(): Auth0LegacyDatabase {
  let database: TestDatabase | undefined;
  const exec = async (sql: string) => {
    const client = new pg.Client({ connectionString: database?.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    async setup() {
      database = await createPostgresDatabase('gh_auth0');
      await exec(POSTGRES_SCHEMA);
      return { DB_CONNECTION_URI: database.url };
    },
    exec,
    teardown: async () => database?.drop(),
    scripts: POSTGRES_AUTH0_SCRIPTS,
    getUserById: POSTGRES_GET_USER_BY_ID,
  };
}

const skipped = up ? '' : ' (PostgreSQL not reachable: skipped)';
describe.skipIf(!up)(`Auth0 scripts, lazy migration from PostgreSQL${skipped}`, () => lazyMigrationWithAuth0Scripts(legacyPostgres()));
describe.skipIf(!up)(`Auth0 scripts, custom user store on PostgreSQL${skipped}`, () => customUserStoreWithAuth0Scripts(legacyPostgres()));
