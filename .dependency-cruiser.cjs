/**
 * The layering rules of Gatehouse, checked by `npm test` (`npm run depcheck`). Data flows
 * one way (README, "Architecture"):
 *
 *   main, cli (the gatehouse command) -> server (composition root)
 *     -> http -> auth -> users -> custom-db -> script-runtime (a leaf)
 *                          \-> store -> domain
 *     -> http -> oidc (providers, hosted pages) -> auth, users, applications -> store
 *                 \-> mail  \-> store -> domain
 *   (mail: nodemailer and the development outbox; it imports only store and domain)
 *   (audit: the audit log's service, recording and sweeping; it imports only store and domain)
 *   (metrics: prom-client registry and per-minute pool stats; imports only domain and the
 *    runtime's event types; the layers that count things import it, it imports none of them)
 *   (jobs: the background job runner and its leases; it imports only store and domain)
 *   (import: bulk import of users, over HTTP and from the CLI; jobs, passwords, store, config)
 *   passwords, secrets, config, domain: leaves that others build on
 *
 * Type-only imports count (tsPreCompilationDeps), so a cycle cannot hide behind
 * `import type`.
 */
const layer = (name, mayImport) => ({
  name: `${name}-imports-only-lower-layers`,
  comment: `${name}/ may import only: ${mayImport.join(', ') || 'nothing outside itself'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${name}/`, ...mayImport.map((m) => `^src/${m}/`)],
  },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No cycles between modules, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer('domain', []),
    layer('script-runtime', []),
    layer('secrets', []),
    layer('passwords', ['domain']),
    layer('config', ['domain']),
    layer('store', ['domain']),
    layer('metrics', ['domain', 'script-runtime']),
    layer('custom-db', ['domain', 'store', 'secrets', 'script-runtime', 'metrics']),
    layer('users', ['domain', 'store', 'passwords', 'custom-db', 'metrics']),
    layer('mail', ['domain', 'store']),
    layer('audit', ['domain', 'store']),
    layer('auth', ['domain', 'store', 'passwords', 'secrets', 'users', 'custom-db', 'config', 'mail', 'metrics']),
    layer('applications', ['domain', 'store']),
    layer('oidc', ['domain', 'store', 'secrets', 'auth', 'users', 'applications']),
    layer('jobs', ['domain', 'store']),
    layer('import', ['domain', 'store', 'passwords', 'jobs', 'config']),
    // Finishing a migration: the import-rest job, over the users, the scripts and the job runner.
    layer('migration', ['domain', 'store', 'passwords', 'users', 'custom-db', 'jobs']),
    layer('http', ['domain', 'store', 'auth', 'users', 'custom-db', 'config', 'applications', 'oidc', 'audit', 'metrics', 'jobs', 'import', 'migration']),
    layer('sample-db', ['domain']),
    {
      name: 'console-imports-only-pure-modules',
      comment: 'The console runs in the browser: it may import only pure modules of the server (no Node built-ins behind them).',
      severity: 'error',
      from: { path: '^src/console/' },
      to: { path: '^src/', pathNot: ['^src/console/', '^src/custom-db/modes\\.ts$', '^src/custom-db/contract/script-contract\\.ts$', '^src/custom-db/contract/source-check\\.ts$', '^src/custom-db/connection-config\\.ts$', '^src/custom-db/auth0/auth0-scripts\\.ts$', '^src/script-runtime/source-check\\.ts$', '^src/domain/'] },
    },
    {
      name: 'routes-do-not-import-each-other-or-the-app',
      comment: 'Routes share what they need through http/context.ts, never through another route or the app that registers them.',
      severity: 'error',
      from: { path: '^src/http/routes/([^/]+)\\.ts$' },
      to: { path: ['^src/http/routes/', '^src/http/app\\.ts$'], pathNot: ['^src/http/routes/$1\\.ts$'] },
    },
    {
      name: 'only-the-entry-points-use-the-composition-root',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/cli/'] },
      to: { path: ['^src/server\\.ts$', '^src/main\\.ts$'] },
    },
    {
      name: 'the-command-is-an-entry-point',
      comment: 'cli/ (the gatehouse command) sits above the composition root: only main.ts may import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/cli/'] },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^src/console/dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
