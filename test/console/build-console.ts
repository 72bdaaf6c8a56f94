/**
 * Makes sure dist/console holds a build of the current src/console before a browser test:
 * builds with Vite's JS API when the build is missing or older than any source file
 * (a few seconds), and does nothing otherwise.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const source = path.join(repo, 'src/console');
const builtIndex = path.join(repo, 'dist/console/index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestMtime(source)) return;
  await build({ configFile: path.join(source, 'vite.config.ts'), logLevel: 'warn' });
}
