/**
 * The applications admin API (API.md, "Applications"): the secret answered once and
 * stored hashed, rotation, edits, deletion, the redirect URI rules with 400s naming the
 * field, and the client behind each application as the token endpoint sees it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as client from 'openid-client';
import { describeEachDialect } from '../support/dialects.js';
import { discover, startOidcServer, type OidcTestServer } from './support.js';

describeEachDialect('applications admin API', (dialect) => {
  let server: OidcTestServer;
  let poolId: string;
  const base = () => `/api/v1/pools/${poolId}/applications`;

  beforeAll(async () => {
    server = await startOidcServer(dialect);
    poolId = await server.createPool('Apps');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates an application and shows its secret only once, storing a hash', async () => {
    const created = await server.admin('POST', base(), { name: 'Shop', type: 'web', redirectUris: ['https://shop.example.com/cb'] });
    expect(created.statusCode).toBe(201);
    const app = created.json<Record<string, unknown>>();
    expect(app).toMatchObject({
      name: 'Shop',
      type: 'web',
      redirectUris: ['https://shop.example.com/cb'],
      postLogoutRedirectUris: [],
    });
    expect(typeof app['id']).toBe('string');
    expect(typeof app['clientId']).toBe('string');
    expect(typeof app['createdAt']).toBe('string');
    const secret = app['clientSecret'] as string;
    expect(secret.length).toBeGreaterThanOrEqual(40);

    const read = await server.admin('GET', `${base()}/${app['id'] as string}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).not.toHaveProperty('clientSecret');
    const listed = await server.admin('GET', base());
    expect(listed.json()).toMatchObject({ totalCount: 1 });
    expect(listed.body).not.toContain(secret);

    const rows = await server.server.store.db.selectFrom('applications').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]?.secret_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('gives public clients (spa, native) no secret and refuses to rotate one', async () => {
    const spa = await server.admin('POST', base(), { name: 'SPA', type: 'spa', redirectUris: ['http://localhost:5173/cb'] });
    expect(spa.statusCode).toBe(201);
    expect(spa.json()).not.toHaveProperty('clientSecret');
    const native = await server.admin('POST', base(), { name: 'Phone', type: 'native', redirectUris: ['com.example.app:/callback', 'http://[::1]:8123/cb'] });
    expect(native.statusCode).toBe(201);
    const rotate = await server.admin('POST', `${base()}/${spa.json<{ id: string }>().id}/rotate-secret`);
    expect(rotate.statusCode).toBe(400);
    expect(rotate.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
  });

  it('rotates a secret: the new one works at the token endpoint, the old one no longer does', async () => {
    const created = await server.admin('POST', base(), { name: 'Cron', type: 'm2m', redirectUris: [] });
    const app = created.json<{ id: string; clientId: string; clientSecret: string }>();
    const before = await discover(server.issuer(poolId), app.clientId, app.clientSecret);
    expect((await client.clientCredentialsGrant(before)).access_token).toBeTruthy();

    const rotated = await server.admin('POST', `${base()}/${app.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { clientSecret } = rotated.json<{ clientSecret: string }>();
    expect(clientSecret).not.toBe(app.clientSecret);
    expect(Object.keys(rotated.json())).toEqual(['clientSecret']);

    await expect(client.clientCredentialsGrant(before)).rejects.toMatchObject({ error: 'invalid_client' });
    const after = await discover(server.issuer(poolId), app.clientId, clientSecret);
    expect((await client.clientCredentialsGrant(after)).access_token).toBeTruthy();
  });

  it('edits and deletes an application; a deleted one is APPLICATION_NOT_FOUND and its client is gone', async () => {
    const created = await server.admin('POST', base(), { name: 'Temp', type: 'm2m', redirectUris: [] });
    const app = created.json<{ id: string; clientId: string; clientSecret: string }>();
    const patched = await server.admin('PATCH', `${base()}/${app.id}`, { name: 'Renamed' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Renamed', type: 'm2m' });

    expect((await server.admin('DELETE', `${base()}/${app.id}`)).statusCode).toBe(204);
    for (const [method, url] of [
      ['GET', `${base()}/${app.id}`],
      ['PATCH', `${base()}/${app.id}`],
      ['DELETE', `${base()}/${app.id}`],
      ['POST', `${base()}/${app.id}/rotate-secret`],
    ] as const) {
      const response = await server.admin(method, url, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'APPLICATION_NOT_FOUND' } });
    }
    const gone = await discover(server.issuer(poolId), app.clientId, app.clientSecret);
    await expect(client.clientCredentialsGrant(gone)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('checks redirect URIs and names the field', async () => {
    const cases: [unknown[], string][] = [
      [['http://shop.example.com/cb'], 'body.redirectUris[0]'],
      [['https://shop.example.com/cb#frag'], 'body.redirectUris[0]'],
      [['/relative/cb'], 'body.redirectUris[0]'],
      [['https://ok.example.com/cb', 'javascript:alert(1)'], 'body.redirectUris[1]'],
      [['com.example.app:/cb'], 'body.redirectUris[0]'],
      [[], 'body.redirectUris'],
      [['https://a.example.com/cb', 'https://a.example.com/cb'], 'body.redirectUris'],
    ];
    for (const [redirectUris, field] of cases) {
      const response = await server.admin('POST', base(), { name: 'Bad', type: 'web', redirectUris });
      expect(response.statusCode, JSON.stringify(redirectUris)).toBe(400);
      expect(response.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(response.json<{ error: { message: string } }>().error.message).toContain(field);
    }
    for (const ok of ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:9000/cb', 'https://app.example.com/cb?x=1']) {
      expect((await server.admin('POST', base(), { name: 'Ok', type: 'web', redirectUris: [ok] })).statusCode, ok).toBe(201);
    }
    const logout = await server.admin('POST', base(), { name: 'Bad', type: 'web', redirectUris: ['https://a.example.com/cb'], postLogoutRedirectUris: ['http://a.example.com/'] });
    expect(logout.statusCode).toBe(400);
    expect(logout.json<{ error: { message: string } }>().error.message).toContain('body.postLogoutRedirectUris[0]');
    const m2mWithUris = await server.admin('POST', base(), { name: 'Bad', type: 'm2m', redirectUris: ['https://a.example.com/cb'] });
    expect(m2mWithUris.statusCode).toBe(400);
    const patch = await server.admin('POST', base(), { name: 'P', type: 'web', redirectUris: ['https://p.example.com/cb'] });
    const badPatch = await server.admin('PATCH', `${base()}/${patch.json<{ id: string }>().id}`, { redirectUris: ['http://p.example.com/cb'] });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json<{ error: { message: string } }>().error.message).toContain('body.redirectUris[0]');
  });

  it('validates bodies like every other admin route', async () => {
    const unknownField = await server.admin('POST', base(), { name: 'X', type: 'web', redirectUris: ['https://x.example.com/cb'], clientSecret: 'mine' });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json<{ error: { message: string } }>().error.message).toContain('clientSecret');
    const badType = await server.admin('POST', base(), { name: 'X', type: 'desktop', redirectUris: [] });
    expect(badType.statusCode).toBe(400);
    expect(badType.json<{ error: { message: string } }>().error.message).toContain('body.type');
    const noToken = await server.request('GET', base());
    expect(noToken.statusCode).toBe(401);
    const noPool = await server.admin('GET', '/api/v1/pools/nope/applications');
    expect(noPool.json()).toMatchObject({ error: { code: 'POOL_NOT_FOUND' } });
    const openApi = await server.request('GET', '/api/openapi.json');
    expect(openApi.body).toContain('/api/v1/pools/{poolId}/applications/{appId}/rotate-secret');
  });
});
