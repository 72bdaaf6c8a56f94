import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable } from '../support/databases.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';

const ENV_SECRET = 'versions-env-secret-42';
/** A script checks a secret without holding it: scripts are stored as written, secrets are not. */
const spelled = (secret: string) => JSON.stringify([...secret]) + ".join('')";
const getUser = (label: string) => `async function getUser(query, context) {
  return { id: '${label}', nickname: String(env.API_KEY === ${spelled(ENV_SECRET)}) };
}`;

describe('connection versions', () => {
  let t: TestServer;
  let poolId: string;
  const url = () => `/api/v1/pools/${poolId}/custom-db`;
  const put = (body: unknown, ifMatch?: string) =>
    t.request('PUT', url(), { body, token: ADMIN_TOKEN, ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }) });

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
    expect((await put({ env: { API_KEY: ENV_SECRET }, scripts: { getUser: getUser('one') } })).statusCode).toBe(200);
    expect((await put({ scripts: { getUser: getUser('two') }, note: 'second try' })).statusCode).toBe(200);
    expect((await put({ env: { API_KEY: 'replaced' }, scripts: { getUser: getUser('three') } })).statusCode).toBe(200);
  });
  afterAll(() => t.close());

  it('lists every save newest first, with who saved it, when, and its note', async () => {
    const response = await t.admin('GET', `${url()}/versions`);
    expect(response.statusCode, response.body).toBe(200);
    const { totalCount, list } = response.json();
    expect(totalCount).toBe(3);
    expect(list.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(list[0]).toMatchObject({ savedBy: { keyId: 'owner', name: 'owner' }, note: null });
    expect(list[1].note).toBe('second try');
    expect(Date.parse(list[0].savedAt)).toBeGreaterThanOrEqual(Date.parse(list[2].savedAt));

    const paged = (await t.admin('GET', `${url()}/versions?page=2&limit=2`)).json();
    expect(paged).toMatchObject({ totalCount: 3, list: [{ version: 1 }] });
    expect((await t.admin('GET', `${url()}/versions?limit=101`)).statusCode).toBe(400);
  });

  it('answers one version with its secrets masked, and 404 naming a version that does not exist', async () => {
    const first = await t.admin('GET', `${url()}/versions/1`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ env: { API_KEY: '********' }, scripts: { getUser: getUser('one') }, maxConcurrency: 50 });
    expect(first.body).not.toContain(ENV_SECRET);

    const missing = await t.admin('GET', `${url()}/versions/99`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.json().error.message).toContain('version 99');
    expect((await t.admin('GET', `${url()}/versions/abc`)).json().error.code).toBe('VALIDATION_ERROR');
    expect((await t.admin('POST', `${url()}/versions/99/restore`)).statusCode).toBe(404);
  });

  it('restores a version as the newest one, secrets included but never shown', async () => {
    const restored = await t.admin('POST', `${url()}/versions/1/restore`);
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.body).not.toContain(ENV_SECRET);
    expect(restored.json().scripts.getUser).toBe(getUser('one'));
    const versions = (await t.admin('GET', `${url()}/versions?limit=1`)).json();
    expect(versions).toMatchObject({ totalCount: 4, list: [{ version: 4, note: 'Restored version 1' }] });
    // The env secret replaced by version 3 is back: the script sees it again.
    const debug = await t.admin('POST', `${url()}/debug`, { script: 'getUser', args: [{ id: '1' }] });
    expect(debug.json().result).toMatchObject({ id: 'one', nickname: 'true' });

    const noted = await t.admin('POST', `${url()}/versions/2/restore`, { note: 'back to the second' });
    expect(noted.statusCode).toBe(200);
    expect((await t.admin('GET', `${url()}/versions?limit=1`)).json().list[0]).toMatchObject({ version: 5, note: 'back to the second' });
  });

  it('answers an ETag and refuses a save whose If-Match is stale or garbage', async () => {
    const read = await t.admin('GET', url());
    const etag = String(read.headers['etag']);
    expect(etag).toMatch(/^"\d+"$/);
    const before = (await t.admin('GET', `${url()}/versions`)).json().totalCount;

    const saved = await put({ note: 'with the current tag' }, etag);
    expect(saved.statusCode, saved.body).toBe(200);
    const next = String(saved.headers['etag']);
    expect(next).not.toBe(etag);
    expect((await t.admin('GET', url())).headers['etag']).toBe(next);

    for (const stale of [etag, 'garbage', `W/${next}`, '"abc"', '']) {
      const refused = await put({ timeoutMs: 1234 }, stale);
      expect(refused.statusCode, `If-Match ${stale}`).toBe(412);
      expect(refused.json().error.code).toBe('PRECONDITION_FAILED');
    }
    const restoreStale = await t.request('POST', `${url()}/versions/1/restore`, { token: ADMIN_TOKEN, headers: { 'if-match': etag } });
    expect(restoreStale.statusCode).toBe(412);
    expect((await t.admin('GET', url())).json().timeoutMs).not.toBe(1234);
    expect((await t.admin('GET', `${url()}/versions`)).json().totalCount).toBe(before + 1);

    expect((await put({ note: 'star' }, '*')).statusCode).toBe(200);
    expect((await put({ note: 'no precondition' })).statusCode).toBe(200);
  });

  it('answers a never-configured pool with an ETag its first save can use', async () => {
    const fresh = await t.createPool('Fresh');
    const read = await t.admin('GET', `/api/v1/pools/${fresh}/custom-db`);
    const etag = String(read.headers['etag']);
    const first = await t.request('PUT', `/api/v1/pools/${fresh}/custom-db`, { body: { timeoutMs: 2000 }, token: ADMIN_TOKEN, headers: { 'if-match': etag } });
    expect(first.statusCode, first.body).toBe(200);
    const again = await t.request('PUT', `/api/v1/pools/${fresh}/custom-db`, { body: { timeoutMs: 3000 }, token: ADMIN_TOKEN, headers: { 'if-match': etag } });
    expect(again.statusCode).toBe(412);
  });

  it('validates the breaker and cap settings, naming the field', async () => {
    for (const [field, value] of [
      ['maxConcurrency', 0],
      ['breakerThreshold', 1001],
      ['breakerCooldownMs', 10],
    ] as const) {
      const response = await put({ [field]: value });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain(`body.${field}`);
    }
    const saved = await put({ maxConcurrency: 7, breakerThreshold: 2, breakerCooldownMs: 5000 });
    expect(saved.json()).toMatchObject({ maxConcurrency: 7, breakerThreshold: 2, breakerCooldownMs: 5000 });
  });
});

const pgUp = await postgresReachable();

describe.skipIf(!pgUp)('two instances on one store agree on the ETag', () => {
  let a: TestServer;
  let b: TestServer;
  let poolId: string;
  const secretKey = Buffer.alloc(32, 7);

  beforeAll(async () => {
    a = await startTestServer('postgres', { secretKey });
    b = await startTestServer('postgres', { secretKey, databaseUrl: a.config.databaseUrl });
    poolId = await a.createPool();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('refuses on one instance a save made stale on the other, and lets exactly one of two racing saves in', async () => {
    const url = `/api/v1/pools/${poolId}/custom-db`;
    const tagA = String((await a.admin('GET', url)).headers['etag']);
    expect((await b.admin('GET', url)).headers['etag']).toBe(tagA);
    const saved = await b.request('PUT', url, { body: { note: 'b first' }, token: ADMIN_TOKEN, headers: { 'if-match': tagA } });
    expect(saved.statusCode).toBe(200);
    const stale = await a.request('PUT', url, { body: { note: 'a late' }, token: ADMIN_TOKEN, headers: { 'if-match': tagA } });
    expect(stale.statusCode).toBe(412);

    const current = String((await a.admin('GET', url)).headers['etag']);
    const raced = await Promise.all(
      [a, b, a, b].map((server, i) => server.request('PUT', url, { body: { note: `racer ${i}` }, token: ADMIN_TOKEN, headers: { 'if-match': current } })),
    );
    expect(raced.map((r) => r.statusCode).sort()).toEqual([200, 412, 412, 412]);
    const versions = (await b.admin('GET', `${url}/versions`)).json();
    expect(versions.totalCount).toBe(2);
    expect(versions.list.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });
});
