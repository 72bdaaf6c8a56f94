/**
 * The folders a runtime process may read: its own `child/` folder and the closure of the
 * allowed packages' dependencies, resolved as Node resolves them. The rules are tested on a
 * fixture `node_modules` tree built in a temporary folder; the last block checks the real
 * list the server hands its runtimes.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALLOWED_PACKAGES, allowedReadPaths, CHILD_ENTRY, readPathsFor } from '../../src/script-runtime/allowed-paths.js';

let root = '';

function writePackage(dir: string, manifest: Record<string, unknown> | string): void {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'package.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
}

/** `root`-relative folders as readPathsFor answers them. */
function folders(...dirs: string[]): string[] {
  return dirs.map((dir) => `${join(root, dir)}/`);
}

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'allowed-paths-')));
  mkdirSync(join(root, 'real-child'));
  mkdirSync(join(root, 'app'));
  symlinkSync(join(root, 'real-child'), join(root, 'app', 'child'));
  writePackage('app/node_modules/zeta', {
    dependencies: { beta: '1', '@types/zeta': '1', '@scope/tool': '1', nopkg: '1' },
    optionalDependencies: { gamma: '1', 'not-installed-optional': '1' },
    peerDependencies: { delta: '1', 'not-installed-peer': '1' },
    devDependencies: { 'dev-only': '1' },
  });
  // zeta's own copy of beta, found before the hoisted one.
  writePackage('app/node_modules/zeta/node_modules/beta', {});
  writePackage('app/node_modules/beta', { dependencies: { 'hoisted-beta-dep': '1' } });
  writePackage('app/node_modules/hoisted-beta-dep', {});
  writePackage('app/node_modules/gamma', {});
  writePackage('app/node_modules/@types/zeta', {});
  writePackage('app/node_modules/@scope/tool', {});
  writePackage('app/node_modules/dev-only', {});
  writePackage('app/node_modules/unrelated', {});
  // A folder without a package.json is not a package: the lookup walks on up to root/node_modules.
  mkdirSync(join(root, 'app/node_modules/nopkg'), { recursive: true });
  writePackage('node_modules/nopkg', {});
  // delta depends back on zeta (a cycle); its peer epsilon is found by walking up to root/node_modules.
  writePackage('app/node_modules/delta', { dependencies: { zeta: '1' }, peerDependencies: { epsilon: '1' } });
  writePackage('node_modules/epsilon', {});
  writePackage('app/node_modules/broken', '{ not json');
});

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

describe('readPathsFor', () => {
  test('the child folder, as given and as its real path, with nothing else when no package is allowed', () => {
    expect(readPathsFor(join(root, 'app/child'), [])).toEqual(folders('app/child', 'real-child'));
  });

  test('a package, its dependencies, optional and peer dependencies when installed, each resolved as Node does', () => {
    expect(readPathsFor(join(root, 'app/child'), ['zeta'])).toEqual(
      folders(
        'app/child',
        'app/node_modules/@scope/tool',
        'app/node_modules/delta',
        'app/node_modules/gamma',
        'app/node_modules/zeta',
        'app/node_modules/zeta/node_modules/beta',
        'node_modules/epsilon',
        'node_modules/nopkg',
        'real-child',
      ),
    );
  });

  test('the hoisted copy is used by whoever resolves to it, and its own dependencies follow', () => {
    expect(readPathsFor(join(root, 'app/child'), ['beta'])).toEqual(folders('app/child', 'app/node_modules/beta', 'app/node_modules/hoisted-beta-dep', 'real-child'));
  });

  test('type-only packages, dev dependencies and packages nobody depends on stay unreadable', () => {
    const paths = readPathsFor(join(root, 'app/child'), ['zeta', 'beta']);
    for (const denied of folders('app/node_modules/@types/zeta', 'app/node_modules/dev-only', 'app/node_modules/unrelated', 'app/node_modules/nopkg', 'app')) {
      expect(paths).not.toContain(denied);
    }
    expect(paths.some((path) => path.startsWith(join(root, 'app/node_modules/@types')))).toBe(false);
  });

  test('a package with an unreadable package.json is readable itself, with no dependencies', () => {
    expect(readPathsFor(join(root, 'app/child'), ['broken'])).toEqual(folders('app/child', 'app/node_modules/broken', 'real-child'));
  });

  test('a package installed nowhere up to the file system root is left out', () => {
    expect(readPathsFor(join(root, 'app/child'), ['gatehouse-test-package-installed-nowhere', 'gamma'])).toEqual(folders('app/child', 'app/node_modules/gamma', 'real-child'));
  });

  test('a cycle of dependencies ends, listing each folder once', () => {
    const paths = readPathsFor(join(root, 'app/child'), ['delta', 'zeta', 'delta']);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toContain(`${join(root, 'app/node_modules/delta')}/`);
    expect(paths).toContain(`${join(root, 'app/node_modules/zeta')}/`);
  });

  test('every folder ends with exactly one slash, so it grants its subtree and no sibling sharing its prefix', () => {
    const paths = readPathsFor(`${join(root, 'app/child')}/`, ['zeta']);
    for (const path of paths) {
      expect(path.endsWith('/') && !path.endsWith('//'), path).toBe(true);
    }
  });
});

describe('allowedReadPaths (the real list)', () => {
  test('starts from the folder of the child entry, which exists', () => {
    expect(CHILD_ENTRY.endsWith('/script-runtime/child/host.mjs')).toBe(true);
    expect(existsSync(CHILD_ENTRY)).toBe(true);
    expect(allowedReadPaths()).toContain(`${dirname(CHILD_ENTRY)}/`);
  });

  test('grants the drivers scripts may require, with their installed dependencies, and nothing of the server', () => {
    expect([...ALLOWED_PACKAGES]).toEqual(['pg', 'mysql2', 'mongodb', 'bcryptjs']);
    const names = allowedReadPaths().map((path) => path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/$/)?.[1]);
    expect(names).toEqual(expect.arrayContaining(['pg', 'pg-pool', 'pg-types', 'pg-cloudflare', 'mysql2', 'iconv-lite', 'mongodb', 'bson', 'bcryptjs']));
    for (const serverPackage of ['fastify', 'kysely', 'better-sqlite3', '@types/node', 'vitest']) expect(names).not.toContain(serverPackage);
  });

  test('is walked once: later calls answer the same list', () => {
    const paths = allowedReadPaths();
    expect(allowedReadPaths()).toBe(paths);
  });
});
