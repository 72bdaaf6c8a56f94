/** Runs a suite once per store dialect; PostgreSQL follows the databases-required rule. */
import { describe } from 'vitest';
import { postgresReachable } from './databases.js';
import type { StoreDialect } from './server.js';

const postgresUp = await postgresReachable();

export function describeEachDialect(title: string, suite: (dialect: StoreDialect) => void): void {
  describe(`${title} [sqlite]`, () => suite('sqlite'));
  describe.skipIf(!postgresUp)(`${title} [postgres${postgresUp ? '' : ': not reachable, skipped'}]`, () => suite('postgres'));
}
