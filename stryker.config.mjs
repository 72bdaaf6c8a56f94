// @ts-check
/**
 * Mutation testing (`npm run mutate`; not part of `npm test`, it takes many minutes):
 * Stryker changes the code under `mutate` one small edit at a time and runs the tests
 * that cover each edit; a mutant that no test notices shows behaviour no test pins down.
 *
 * Scope: each entry of `scope` names the source it mutates and the test files that are
 * meant to kill its mutants. Only those run: the API suites (test/http/) reach the same
 * code, but each of them starts servers on both store dialects, and Stryker reruns a
 * file's setup for every mutant it covers, which made a run several times longer. The
 * score is therefore what the dedicated tests alone achieve (a lower bound).
 * Adding the script runtime is one line: uncomment `scriptRuntime` below.
 *
 * The sandbox: Stryker copies the project to `.stryker-tmp/sandbox-*` (node_modules is
 * symlinked) and runs vitest there with the project's vitest.config.ts (narrowed to the
 * scope's tests by stryker.vitest.config.mjs), so the global
 * setup builds `dist/` inside the sandbox and `test/support/*` and the runtime's
 * `child/*.mjs` resolve next to the copied sources.
 */

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
const scope = {
  auth: {
    mutate: ['src/auth/**/*.ts'],
    tests: ['test/auth/**/*.test.ts'],
  },
  lazyMigration: {
    mutate: ['src/users/lazy-migration-directory.ts'],
    tests: ['test/users/**/*.test.ts'],
  },
  passwords: {
    mutate: ['src/passwords/passwords.ts'],
    tests: ['test/passwords/**/*.test.ts'],
  },
  // The runtime's pure parts: framing, the message protocol, the source check, the paths a
  // sandbox may read, the egress broker's policy and relay, and the spares' sizing. The process-level parts
  // (runtime-process.ts, pool.ts, os-sandbox.ts) are reached only through tests that start
  // real sandboxed processes; mutating them takes about two hours here (see the README).
  scriptRuntime: {
    mutate: [
      'src/script-runtime/frames.ts',
      'src/script-runtime/protocol.ts',
      'src/script-runtime/source-check.ts',
      'src/script-runtime/allowed-paths.ts',
      'src/script-runtime/egress-broker.ts',
      'src/script-runtime/spare-sizing.ts',
      'src/script-runtime/use-frequency.ts',
      'src/script-runtime/tree-usage.ts',
    ],
    tests: [
      'test/script-runtime/allowed-paths.test.ts',
      'test/script-runtime/egress-broker.test.ts',
      'test/script-runtime/egress-broker.relay.test.ts',
      'test/script-runtime/egress-policy.test.ts',
      'test/script-runtime/egress-guard.test.ts',
      'test/script-runtime/frames.test.ts',
      'test/script-runtime/protocol.test.ts',
      'test/script-runtime/runtime.transport.test.ts',
      'test/script-runtime/source-check.test.ts',
      'test/script-runtime/spare-sizing.test.ts',
      'test/script-runtime/use-frequency.test.ts',
      'test/script-runtime/tree-usage.test.ts',
    ],
  },
};

/**
 * `MUTATE_SCOPE=scriptRuntime npm run mutate` runs one part (comma-separated names of
 * `scope`); unset runs them all.
 */
const selected = process.env.MUTATE_SCOPE?.split(',').map((name) => name.trim()) ?? Object.keys(scope);
const unknown = selected.filter((name) => !(name in scope));
if (unknown.length > 0) throw new Error(`MUTATE_SCOPE names no scope: ${unknown.join(', ')} (known: ${Object.keys(scope).join(', ')})`);
const entries = selected.map((name) => scope[name]);

/** The test files of the scope: stryker.vitest.config.mjs runs only these. */
export const mutationTests = [...new Set(entries.flatMap((entry) => entry.tests))];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: {
    configFile: 'stryker.vitest.config.mjs',
    // The tests reach most code through the in-process server; the narrowed config and
    // per-test coverage already choose what runs, so vitest's import-graph filter adds nothing.
    related: false,
  },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: entries.flatMap((entry) => entry.mutate),
  // Each mutant runs only the tests that reached it (code run while a suite's server
  // starts counts for every test of the run).
  coverageAnalysis: 'perTest',
  // The machine is shared; raise with `npx stryker run --concurrency 2` when it is idle.
  concurrency: 1,
  // Tests start servers, argon2 hashes and script child processes; under load a mutant's
  // run may take far longer than the same test did in the dry run.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 30,
  ignorePatterns: ['dist', 'data', 'coverage', 'test-artifacts', 'reports', 'bench', 'docs', '*.sqlite', '*.sqlite-*', '*.log'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

export default config;
