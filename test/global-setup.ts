/**
 * Builds dist/ once before the suites: the process tests start `node dist/main.js`
 * exactly as `npm start` does.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
