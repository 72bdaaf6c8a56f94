#!/usr/bin/env node
// The `gatehouse` command. In a checkout (src/ and tsx present) it runs the TypeScript
// sources, so `npx gatehouse …` runs the code as it is now, built or not; without them (a
// built package) it runs dist/. `npm start` builds and runs dist/cli/gatehouse.js directly.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const source = new URL('../src/cli/gatehouse.ts', import.meta.url);
const compiled = new URL('../dist/cli/gatehouse.js', import.meta.url);

function tsxAvailable() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && tsxAvailable()) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write('gatehouse: not built; run `npm run build` first.\n');
  process.exit(1);
}
