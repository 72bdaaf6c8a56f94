/**
 * Builds dist/ once before the suites: the process tests start `node dist/main.js`
 * exactly as `npm start` does. Type errors are the type-check step's to report (tsc
 * still emits), so they do not stop the suites from running here.
 */
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (result.status !== 0) console.warn(`tsc reported problems while building dist/ for the tests:\n${result.stdout}`);
}
