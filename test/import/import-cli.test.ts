import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { openStore } from '../../src/store/database.js';
import { poolsRepository } from '../../src/store/pools.js';
import { jobsRepository } from '../../src/store/jobs.js';

/** `npm run import`'s program as a real child process (what the npm script's tsx runs, without npm's start-up). */
function runCli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/import/main.ts', ...args],
      { env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: '' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
let dataDir: string;
let poolId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-import-cli-'));
  dataDir = path.join(dir, 'data');
  const store = await openStore({ databaseUrl: undefined, dataDir });
  poolId = (await poolsRepository(store.db).create({ name: 'cli', metadata: {} })).id;
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('imports a file into the configured store as a job, with a summary of the per-line errors', async () => {
  const file = path.join(dir, 'users.ndjson');
  const hash = bcrypt.hashSync('old-password', 4);
  const lines = Array.from({ length: 30 }, (_, index) => JSON.stringify({ user_id: `auth0|u${index}`, email: `u${index}@example.com`, password_hash: hash }));
  lines.splice(4, 0, '{"email": ');
  lines.push(JSON.stringify({ externalId: 'x', email: 'x@example.com', passwordHash: { algorithm: 'bcrypt', hash: 'not-a-hash' } }));
  writeFileSync(file, `${lines.join('\n')}\n`);

  const run = await runCli(['--pool', poolId, file], dataDir);
  expect(run.stderr).toBe('');
  // some lines failed: exit status 1, the summary and each error by line
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/32 users, \d+\/s, 100% of the file/);
  expect(run.stdout).toMatch(/Import done \(job [0-9a-f-]+\) in \d+s: 32 lines, 30 created, 0 updated, 0 skipped, 2 failed/);
  expect(run.stdout).toContain('  line 5: is not valid JSON\n');
  expect(run.stdout).toMatch(/ {2}line 32: passwordHash\.hash: .* \(externalId x\)\n/);
  expect(run.stdout).not.toContain(hash);

  // the same job any server instance on this store shows
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    const jobs = await jobsRepository(store.db).list(poolId, 1, 10);
    expect(jobs.list[0]).toMatchObject({ kind: 'import', status: 'done', created: 30, failed: 2 });
    const row = await store.db.selectFrom('users').select(['external_id', 'source', 'password_algorithm']).where('email_key', '=', 'u7@example.com').executeTakeFirstOrThrow();
    expect(row).toEqual({ external_id: 'u7', source: 'imported', password_algorithm: 'bcrypt' });
  } finally {
    await store.close();
  }

  // a re-run updates and never duplicates
  const again = await runCli(['--pool', poolId, file], dataDir);
  expect(again.stdout).toMatch(/32 lines, 0 created, 30 updated, 0 skipped, 2 failed/);
});

it('says what is wrong with its command line or its pool', async () => {
  const missing = await runCli([path.join(dir, 'users.ndjson')], dataDir);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('--pool <poolId> is required');
  const unknownPool = await runCli(['--pool', 'no-such-pool', path.join(dir, 'users.ndjson')], dataDir);
  expect(unknownPool.code).toBe(1);
  expect(unknownPool.stderr).toContain('no user pool with id no-such-pool');
});
