/**
 * `gatehouse admin-key` as a real process on an embedded store: a created key's token is
 * printed once and works as an admin key, the list never shows tokens, a revoked key stops
 * working, and mistakes get their exit statuses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { adminKeys } from '../../src/auth/admin-keys.js';
import { openStore } from '../../src/store/database.js';
import { runGatehouse, killLeftovers } from './gatehouse-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-admin-key-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { GATEHOUSE_DATA_DIR: dataDir };

/** Who the store says a bearer token is, as the admin API asks it. */
async function actorOf(token: string): Promise<unknown> {
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    return await adminKeys(store, { matches: () => false }).resolve(token);
  } finally {
    await store.close();
  }
}

it('creates a key whose token works, lists keys without tokens, and revokes', async () => {
  const created = await runGatehouse(['admin-key', 'create', '--name', 'ops team', '--json'], env);
  expect(created.code).toBe(0);
  const key = JSON.parse(created.stdout) as { id: string; name: string; poolId: string | null; token: string };
  expect(key).toMatchObject({ name: 'ops team', poolId: null, token: expect.stringMatching(/^gh_key_/) });
  expect(await actorOf(key.token)).toEqual({ keyId: key.id, name: 'ops team' });

  const listed = await runGatehouse(['admin-key', 'list'], env);
  expect(listed.stdout).toContain(`${key.id}  "ops team"  every pool  created `);
  expect(listed.stdout).not.toContain(key.token);
  expect(listed.code).toBe(0);

  const revoked = await runGatehouse(['admin-key', 'revoke', key.id], env);
  expect(revoked.stdout).toMatch(new RegExp(`^Revoked ${key.id}  "ops team" .* revoked `));
  expect(revoked.code).toBe(0);
  expect(await actorOf(key.token)).toBeUndefined();
}, 90_000);

it('refuses a reserved name (1), an unknown key (1) and a bad command line (2)', async () => {
  const [owner, unknown, noName] = await Promise.all([
    runGatehouse(['admin-key', 'create', '--name', 'owner'], env),
    runGatehouse(['admin-key', 'revoke', '6c1f8a4e-0000-4000-8000-000000000000'], env),
    runGatehouse(['admin-key', 'create'], env),
  ]);
  expect(owner.stderr).toBe('gatehouse admin-key: --name may not be "owner": that is the startup admin token\'s name\n');
  expect(owner.code).toBe(1);
  expect(unknown.stderr).toBe('gatehouse admin-key: No admin key with id 6c1f8a4e-0000-4000-8000-000000000000\n');
  expect(unknown.code).toBe(1);
  expect(noName.stderr).toContain('gatehouse admin-key: create needs --name <name>');
  expect(noName.code).toBe(2);
}, 90_000);

afterAll(killLeftovers);
