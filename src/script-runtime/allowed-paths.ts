/**
 * The file system paths a runtime process may read under `--experimental-permission`:
 * its own code (the `child/` folder next to this file, in `src/` or in `dist/`) and the
 * package folders of the modules scripts may require, with their dependencies resolved
 * the way Node resolves them (walking up `node_modules` folders), so nothing else in
 * `node_modules`, and nothing of the server (config, keys, `package.json`, data), is readable.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packages scripts may require (see child/sandbox.mjs); builtins need no file access. */
export const ALLOWED_PACKAGES = ['pg', 'mysql2', 'mongodb', 'bcryptjs'] as const;

export const CHILD_ENTRY = fileURLToPath(new URL('./child/host.mjs', import.meta.url));
const CHILD_DIR = dirname(CHILD_ENTRY);

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/**
 * Node's lookup of a package folder from `fromDir`: `node_modules/<name>` in it and every
 * parent. Answers the path as found; the runtime runs with `--preserve-symlinks`, so a
 * symlinked `node_modules` (pnpm, a shared checkout) is read through that same path and
 * Node never needs to resolve links through folders it may not read.
 */
function findPackageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function readPackageJson(dir: string): PackageJson {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return {};
  }
}

/**
 * Folders (with a trailing slash, which grants the whole subtree) a runtime whose code is in
 * `childDir` may read: that folder (as found and as its real path) and the folders of
 * `packages` and of everything they depend on, each looked up from its dependent's folder.
 * Optional and peer dependencies count when installed: drivers probe them with `require`
 * inside `try`, and a probe must fail as "not found", not crash on a permission error.
 * Separate from `allowedReadPaths` so tests can walk a fixture tree.
 */
export function readPathsFor(childDir: string, packages: readonly string[]): string[] {
  const dirs = new Set<string>([childDir, realpathSync(childDir)]);
  const queue: { name: string; from: string }[] = packages.map((name) => ({ name, from: childDir }));
  const seen = new Set<string>();
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const dir = findPackageDir(item.name, item.from);
    if (dir === null || seen.has(dir)) continue;
    seen.add(dir);
    dirs.add(dir);
    const pkg = readPackageJson(dir);
    for (const deps of [pkg.dependencies, pkg.optionalDependencies, pkg.peerDependencies]) {
      for (const name of Object.keys(deps ?? {})) {
        if (!name.startsWith('@types/')) queue.push({ name, from: dir }); // type-only, never loaded
      }
    }
  }
  return [...dirs].sort().map((d) => (d.endsWith('/') ? d : `${d}/`));
}

let cached: string[] | null = null;

/** The folders the runtime may read (see `readPathsFor`), walked once per server process. */
export function allowedReadPaths(): string[] {
  if (cached !== null) return cached;
  cached = readPathsFor(CHILD_DIR, ALLOWED_PACKAGES);
  return cached;
}
