/**
 * Which face of the UserDirectory a pool has right now: its own users, lazy migration or
 * a custom user store, as its saved custom database connection says. Read per request, so
 * a save on any instance takes effect on the next request everywhere.
 */
import type { Pool } from '../domain/pool.js';
import type { UsersRepository } from '../store/users.js';
import type { CustomDbService } from '../custom-db/custom-db-service.js';
import type { UserDirectory } from './user-directory.js';
import type { Metrics } from '../metrics/metrics.js';
import { localDirectory } from './local-directory.js';
import { customStoreDirectory } from './custom-store-directory.js';
import { lazyMigrationDirectory } from './lazy-migration-directory.js';

export type DirectoryFor = (pool: Pool) => Promise<UserDirectory>;

export function userDirectories(
  users: UsersRepository,
  customDb: Pick<CustomDbService, 'scriptsFor'>,
  metrics?: Pick<Metrics, 'usersMigrated'>,
): DirectoryFor {
  return async (pool) => {
    const connection = await customDb.scriptsFor(pool);
    if (connection === null) return localDirectory(pool.id, users);
    return connection.mode === 'CUSTOM_USER_STORE'
      ? customStoreDirectory(pool.id, connection.scripts)
      : lazyMigrationDirectory(pool.id, users, connection.scripts, metrics);
  };
}
