// @ts-check
/**
 * The project's vitest config, narrowed to the tests of the mutation scope (see
 * stryker.config.mjs). Stryker's own `testFiles` option would do the same, but with it
 * StrykerJS 9.6 activates mutants of module-level code (constants, the hash function)
 * only after the modules are loaded, so those mutants always "survive".
 */
import { chmodSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import project from './vitest.config.ts';
import { mutationTests } from './stryker.config.mjs';

// Stryker makes its sandbox folder 0700; script runtimes run as an unprivileged user (when
// the tests run as root) and must read their entry file under it, as they can in the repo.
if (process.cwd().includes('.stryker-tmp')) chmodSync(process.cwd(), 0o755);

export default defineConfig({ ...project, test: { ...project.test, include: mutationTests } });
