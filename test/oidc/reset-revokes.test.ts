/**
 * A password reset ends the user's OpenID sessions and refresh tokens: whoever holds a
 * refresh token from before the reset (a stolen one, say) can no longer use it. Other
 * users' tokens keep working.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as client from 'openid-client';
import { describeEachDialect } from '../support/dialects.js';
import { discover, signInAndExchange, startOidcServer, type OidcTestServer } from './support.js';

const CALLBACK = 'http://127.0.0.1:8765/callback';

describeEachDialect('a password reset revokes OpenID sessions and refresh tokens', (dialect) => {
  let server: OidcTestServer;
  let poolId: string;
  let rp: client.Configuration;

  beforeAll(async () => {
    server = await startOidcServer(dialect);
    poolId = await server.createPool('Acme');
    for (const username of ['dora', 'eli']) {
      const created = await server.admin('POST', `/api/v1/pools/${poolId}/users`, {
        username,
        email: `${username}@example.com`,
        password: `${username}-password-1`,
      });
      expect(created.statusCode).toBe(201);
    }
    const web = await server.createApplication(poolId, { name: 'Web', type: 'web', redirectUris: [CALLBACK] });
    rp = await discover(server.issuer(poolId), web.clientId, web.clientSecret);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses the user's refresh token after a reset and keeps another user's working", async () => {
    const dora = await signInAndExchange(rp, CALLBACK, 'dora', 'dora-password-1', 'openid offline_access');
    const eli = await signInAndExchange(rp, CALLBACK, 'eli', 'eli-password-1', 'openid offline_access');
    expect(dora.tokens.refresh_token).toBeTruthy();

    const asked = await server.request('POST', `/api/v1/pools/${poolId}/auth/forgot-password`, { body: { email: 'dora@example.com' } });
    expect(asked.statusCode).toBe(202);
    await server.server.mailIdle();
    const outbox = (await server.admin('GET', `/api/v1/pools/${poolId}/outbox`)).json<{ list: { text: string }[] }>();
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(outbox.list[0]?.text ?? '')?.[1] ?? '';
    expect(token).not.toBe('');
    const reset = await server.request('POST', `/api/v1/pools/${poolId}/auth/reset-password`, {
      body: { token, password: 'a-new-password-2' },
    });
    expect(reset.statusCode).toBe(204);

    await expect(client.refreshTokenGrant(rp, dora.tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    const eliRefreshed = await client.refreshTokenGrant(rp, eli.tokens.refresh_token ?? '');
    expect(eliRefreshed.access_token).toBeTruthy();
  });
});
