import mysql from 'mysql2/promise';
import { describe } from 'vitest';
import { createMysqlDatabase, mysqlReachable, type TestDatabase } from '../../support/databases.js';
import { customUserStoreWithAuth0Scripts, lazyMigrationWithAuth0Scripts, type Auth0LegacyDatabase } from './auth0-sql-suite.js';
import { MYSQL_AUTH0_SCRIPTS, MYSQL_GET_USER_BY_ID, MYSQL_SCHEMA } from './auth0-scripts.mysql.js';

const up = await mysqlReachable();

function legacyMysql(): Auth0LegacyDatabase {
  let database: TestDatabase | undefined;
  const exec = async (sql: string) => {
    const connection = await mysql.createConnection({ uri: database?.url });
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  return {
    async setup() {
      database = await createMysqlDatabase('gh_auth0');
      await exec(MYSQL_SCHEMA);
      const url = new URL(database.url);
      // Auth0 scripts read their connection from configuration; these names also make it the connection's.
      return {
        DB_HOST: url.hostname,
        DB_PORT: url.port || '3306',
        DB_USERNAME: decodeURIComponent(url.username),
        DB_PASSWORD: decodeURIComponent(url.password),
        DB_DATABASE: database.name,
      };
    },
    exec,
    teardown: async () => database?.drop(),
    scripts: MYSQL_AUTH0_SCRIPTS,
    getUserById: MYSQL_GET_USER_BY_ID,
  };
}

const skipped = up ? '' : ' (MariaDB not reachable: skipped)';
describe.skipIf(!up)(`Auth0 scripts, lazy migration from MariaDB${skipped}`, () => lazyMigrationWithAuth0Scripts(legacyMysql()));
describe.skipIf(!up)(`Auth0 scripts, custom user store on MariaDB${skipped}`, () => customUserStoreWithAuth0Scripts(legacyMysql()));
