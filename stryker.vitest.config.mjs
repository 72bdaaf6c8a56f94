// @ts-check
/**
 * The project's vitest config, narrowed to the tests of the mutation scope (see
 * stryker.config.mjs). Stryker's own `testFiles` option would do the same, but with it
 * StrykerJS 9.6 activates mutants of module-level code (constants, the hash function)
 * only after the modules are loaded, so those mutants always "survive".
 */
import { defineConfig } from 'vitest/config';
import project from './vitest.config.ts';
import { mutationTests } from './stryker.config.mjs';

export default defineConfig({ ...project, test: { ...project.test, include: mutationTests } });
