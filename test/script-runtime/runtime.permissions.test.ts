/**
 * The second layer: even code that gets hold of Node's own modules inside a runtime process
 * (scripts cannot: see runtime.sandbox.test.ts) is held by the permission model the runtime
 * is started with. This runs code directly under the runtime's exact Node flags and env.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { childEnv, runtimeExecArgv } from '../../src/script-runtime/runtime-process.js';

const REPO_PACKAGE_JSON = resolve('package.json');

const PROBE = `
import fs from 'node:fs';
import cp from 'node:child_process';
import { Worker } from 'node:worker_threads';
const results = {};
const attempt = (name, fn) => { try { fn(); results[name] = 'allowed'; } catch (e) { results[name] = e.code ?? e.message; } };
attempt('readEtcPasswd', () => fs.readFileSync('/etc/passwd'));
attempt('readRepoPackageJson', () => fs.readFileSync(${JSON.stringify(REPO_PACKAGE_JSON)}));
attempt('readServerEnviron', () => fs.readFileSync('/proc/' + process.ppid + '/environ'));
attempt('readOtherPackage', () => fs.readFileSync(${JSON.stringify(resolve('node_modules/fastify/package.json'))}));
attempt('readAllowedPackage', () => fs.readFileSync(${JSON.stringify(resolve('node_modules/pg/package.json'))}));
attempt('writeTmp', () => fs.writeFileSync('/tmp/gatehouse-runtime-probe', 'x'));
attempt('spawn', () => cp.execSync('id'));
attempt('worker', () => new Worker('1', { eval: true }));
attempt('binding', () => process.binding('fs'));
results.env = Object.keys(process.env).sort().join(',');
process.stdout.write(JSON.stringify(results));
`;

describe('permission model of a runtime process', () => {
  test('refuses reads outside the allowed packages, writes, child processes, workers and process.binding', () => {
    process.env['GATEHOUSE_TEST_CANARY'] = 'canary';
    const run = spawnSync(process.execPath, [...runtimeExecArgv(64), '--input-type=module', '-e', PROBE], {
      env: childEnv(),
      encoding: 'utf8',
      timeout: 20_000,
    });
    delete process.env['GATEHOUSE_TEST_CANARY'];
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      readEtcPasswd: 'ERR_ACCESS_DENIED',
      readRepoPackageJson: 'ERR_ACCESS_DENIED',
      readServerEnviron: 'ERR_ACCESS_DENIED',
      readOtherPackage: 'ERR_ACCESS_DENIED',
      readAllowedPackage: 'allowed',
      writeTmp: 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      worker: 'ERR_ACCESS_DENIED',
      binding: 'ERR_ACCESS_DENIED',
      env: 'NODE_ENV',
    });
  });
});
