import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites share two cores with real databases and child processes; forks keep
    // native addons (better-sqlite3, argon2) out of worker-thread teardown trouble.
    pool: 'forks',
    reporters: ['default'],
  },
});
