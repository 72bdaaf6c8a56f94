// @ts-check
/**
 * Entry of the V8 startup snapshot (../startup-snapshot.ts bundles it with esbuild, `pg`
 * included, and runs `node --build-snapshot` on the bundle). At build time it runs the host
 * code's process-independent part (`prepare`: load `pg`, warm up the first call's path); every
 * runtime started with `--snapshot-blob` begins from that heap and runs `start` (fd 3, the
 * egress route, the lockdown, `ready`) as its main function. Never run directly.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: esbuild
   bundles what this file requires, and `require('pg')` must run lazily (inside `prepare`,
   with the global `Response` hidden), which a static `import` would not. */
const v8 = require('node:v8');
const { prepare, start } = require('./runtime.mjs');

// `require('pg')` here is what esbuild bundles; scripts asking for `pg` get this copy, and
// the other allowed packages still load from node_modules when a script asks (sandbox.mjs).
const bundled = { pg: () => require('pg') };

void prepare(bundled).then(() => {
  v8.startupSnapshot.setDeserializeMainFunction(() => start());
});
