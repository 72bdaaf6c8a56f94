import { describe, expect, it } from 'vitest';
import { connectionConfigs } from '../../src/custom-db/connection-configs.js';
import { createSecretBox, type SecretBox } from '../../src/secrets/secret-box.js';
import type { ConnectionSave, CustomDbRepository, SaveOutcome, StoredConnection } from '../../src/store/custom-db.js';

/** Only what connectionConfigs reads and writes for a save and the reads after it; counts the reads. */
function memoryRepository() {
  const rows = new Map<string, StoredConnection>();
  const counts = { get: 0, revision: 0 };
  const repository: CustomDbRepository = {
    async get(poolId) {
      counts.get++;
      return rows.get(poolId);
    },
    async revision(poolId) {
      counts.revision++;
      return rows.get(poolId)?.revision;
    },
    async save(save: ConnectionSave): Promise<SaveOutcome> {
      const revision = (rows.get(save.poolId)?.revision ?? 0) + 1;
      rows.set(save.poolId, { ...save.sealed, pool_id: save.poolId, revision, updated_at: save.savedAt });
      return { saved: true, revision, version: revision };
    },
    listVersions: () => Promise.reject(new Error('not used')),
    getVersion: () => Promise.reject(new Error('not used')),
    appendLogs: () => Promise.reject(new Error('not used')),
    listLogs: () => Promise.reject(new Error('not used')),
  };
  return { repository, rows, counts };
}

function countingBox(): { box: SecretBox; opens: () => number } {
  const inner = createSecretBox(Buffer.alloc(32, 3));
  let opens = 0;
  return {
    box: {
      seal: (plaintext) => inner.seal(plaintext),
      open(sealed) {
        opens++;
        return inner.open(sealed);
      },
    },
    opens: () => opens,
  };
}

const meta = { savedBy: { keyId: 'owner', name: 'owner' }, note: null };
const changes = {
  enabled: true,
  mode: 'CUSTOM_USER_STORE' as const,
  connection: { type: 'uri' as const, uri: 'postgres://legacy:s3cret@127.0.0.1:5432/legacy' },
  env: { API_KEY: 'key-1' },
  scripts: { login: 'async function login(query, password, context) { return { id: "1" }; }', getUser: null },
};

describe('connection configs: the saved config is kept opened', () => {
  it('the read after a save neither reads the row again nor decrypts, and answers what reading the store answers', async () => {
    const { repository, counts } = memoryRepository();
    const { box, opens } = countingBox();
    const configs = connectionConfigs(repository, box);
    const saved = await configs.save('pool-1', changes, meta);
    expect(saved.ok).toBe(true);
    const getsAfterSave = counts.get;
    const opensAfterSave = opens();
    // Kept opened from what it sealed: nothing it just encrypted is decrypted again.
    expect(opensAfterSave).toBe(0);

    const after = await configs.current('pool-1');
    expect(counts.get).toBe(getsAfterSave);
    expect(opens()).toBe(opensAfterSave);
    // Exactly what another instance (nothing kept) opens from the store.
    const elsewhere = await connectionConfigs(repository, box).current('pool-1');
    expect(after).toEqual(elsewhere);
    expect(after.config.env).toEqual({ API_KEY: 'key-1' });
    expect(after.config.connection).toEqual(changes.connection);
  });

  it('a save elsewhere (a revision this instance did not save) is read from the store', async () => {
    const { repository, rows } = memoryRepository();
    const { box } = countingBox();
    const here = connectionConfigs(repository, box);
    await here.save('pool-1', changes, meta);
    await connectionConfigs(repository, box).save('pool-1', { env: { API_KEY: 'key-2' } }, meta);
    expect(rows.get('pool-1')?.revision).toBe(2);
    expect(await here.current('pool-1')).toMatchObject({ revision: 2, config: { env: { API_KEY: 'key-2' } } });
  });
});
