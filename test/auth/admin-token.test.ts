import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpAdminToken } from '../../src/auth/admin-token.js';
import { openStore, type Store } from '../../src/store/database.js';
import { settingsRepository, type SettingsRepository } from '../../src/store/settings.js';

const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

describe('the admin token', () => {
  let dataDir: string;
  let store: Store;
  let settings: SettingsRepository;

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-admin-token-'));
    store = await openStore({ databaseUrl: undefined, dataDir });
    settings = settingsRepository(store.db);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts exactly the configured GATEHOUSE_ADMIN_TOKEN, generates none and stores none', async () => {
    const { check, generatedToken } = await setUpAdminToken('configured-admin-token', settings);
    expect(generatedToken).toBeUndefined();
    expect(check.matches('configured-admin-token')).toBe(true);
    for (const other of ['', 'configured-admin-toke', 'configured-admin-token ', 'CONFIGURED-ADMIN-TOKEN']) {
      expect(check.matches(other)).toBe(false);
    }
    expect(await settings.get('admin_token_sha256')).toBeUndefined();
  });

  it('generates a 256-bit token on the first start without one, shows it once and keeps only its SHA-256', async () => {
    const first = await setUpAdminToken(undefined, settings);
    const token = first.generatedToken ?? '';
    expect(token).toMatch(/^gh_admin_[A-Za-z0-9_-]{43}$/);
    expect(first.check.matches(token)).toBe(true);
    expect(first.check.matches(`${token}x`)).toBe(false);
    expect(await settings.get('admin_token_sha256')).toBe(sha256Hex(token));

    const restarted = await setUpAdminToken(undefined, settings);
    expect(restarted.generatedToken).toBeUndefined();
    expect(restarted.check.matches(token)).toBe(true);
    expect(restarted.check.matches('gh_admin_guess')).toBe(false);
  });

  it('gives two instances starting together on one store the same token, shown by one of them only', async () => {
    const [a, b] = await Promise.all([setUpAdminToken(undefined, settings), setUpAdminToken(undefined, settings)]);
    const shown = [a.generatedToken, b.generatedToken].filter((token) => token !== undefined);
    expect(shown).toHaveLength(1);
    expect(a.check.matches(shown[0] ?? '')).toBe(true);
    expect(b.check.matches(shown[0] ?? '')).toBe(true);
  });

  it('generates a different token for each new store', async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-admin-token-'));
    const other = await openStore({ databaseUrl: undefined, dataDir: otherDir });
    try {
      const one = await setUpAdminToken(undefined, settings);
      const two = await setUpAdminToken(undefined, settingsRepository(other.db));
      expect(one.generatedToken).not.toBe(two.generatedToken);
      expect(one.check.matches(two.generatedToken ?? '')).toBe(false);
    } finally {
      await other.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
