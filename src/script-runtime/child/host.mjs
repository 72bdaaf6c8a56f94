// @ts-check
/**
 * Entry point of a runtime process started the normal way (`node <flags> host.mjs`): the
 * same host code as a start from the startup snapshot (snapshot-entry.cjs), with its
 * process-independent part run here instead of at build time. See runtime.mjs.
 */
import { prepare, start } from './runtime.mjs';

await prepare();
start();
