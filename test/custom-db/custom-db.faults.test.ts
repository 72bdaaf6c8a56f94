import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPostgres, samplePassword, SAMPLE_USERS } from '../../src/sample-db/index.js';
import { templateById } from '../../src/custom-db/templates/index.js';
import { createPostgresDatabase, postgresAdminSql, postgresReachable, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const up = await postgresReachable();

describe.skipIf(!up)('the custom database going down and coming back', () => {
  let legacy: TestDatabase;
  let t: TestServer;
  let poolId: string;
  const admin = postgresAdminSql;
  const users = SAMPLE_USERS.filter((user) => !user.blocked && user.username).slice(10, 13);
  const login = (i: number) => {
    const username = users[i]?.username ?? '';
    return t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username, password: samplePassword(username) } });
  };

  beforeAll(async () => {
    legacy = await createPostgresDatabase('gh_legacy');
    await seedPostgres(legacy.url);
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
    const { login: loginScript, getUser } = templateById('postgres').scripts;
    await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: { type: 'uri', uri: legacy.url },
      scripts: { login: loginScript, getUser },
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await t.close();
    await admin(`ALTER DATABASE ${legacy.name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await legacy.drop();
  });

  it('answers 502 while the database refuses connections, migrates nothing, then recovers by itself', async () => {
    expect((await login(0)).statusCode).toBe(200);

    await admin(`ALTER DATABASE ${legacy.name} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${legacy.name}'`);
    const down = await login(1);
    expect(down.statusCode).toBe(502);
    expect(down.json().error).toMatchObject({ code: 'CUSTOM_DB_ERROR' });
    expect(down.body).not.toMatch(/ALLOW_CONNECTIONS|does not allow connections|gh_legacy/);
    const logs = (await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/logs?limit=1`)).json().list;
    expect(logs[0].outcome).not.toBe('success');
    expect(logs[0].message.length).toBeGreaterThan(0);
    // the user who already migrated does not need the old database at all
    expect((await login(0)).statusCode).toBe(200);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json().migratedUsers).toBe(1);

    await admin(`ALTER DATABASE ${legacy.name} ALLOW_CONNECTIONS true`);
    const back = await login(1);
    expect(back.statusCode, back.body).toBe(200);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/custom-db/migration`)).json().migratedUsers).toBe(2);
  });
});
