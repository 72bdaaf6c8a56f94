/**
 * Two Gatehouse processes on one PostgreSQL store behind one public URL, as behind a
 * load balancer: the authorization starts on one, the sign-in page is served by the
 * other, the form is posted to the first, and the code exchange and every refresh go
 * to whichever instance; a replayed refresh token is caught on the other instance too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createPostgresDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { startServerProcess, type RunningServer } from '../support/process.js';
import { Browser, readForm } from './support.js';

const up = await postgresReachable();
const ADMIN = 'two-instances-admin-token';
const CALLBACK = 'http://127.0.0.1:8765/callback';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

describe.skipIf(!up)(`OpenID Connect on two instances sharing one PostgreSQL store${up ? '' : ' (skipped: PostgreSQL not reachable)'}`, () => {
  let store: TestDatabase;
  const servers: RunningServer[] = [];
  const dirs: string[] = [];
  let publicUrl: string;
  let other: string;

  beforeAll(async () => {
    store = await createPostgresDatabase('gh_store');
    const [portA, portB] = [await freePort(), await freePort()];
    publicUrl = `http://127.0.0.1:${portA}`;
    other = `http://127.0.0.1:${portB}`;
    const started = await Promise.allSettled(
      [portA, portB].map((port) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-oidc-instance-'));
        dirs.push(dir);
        return startServerProcess({
          PORT: String(port),
          DATABASE_URL: store.url,
          GATEHOUSE_DATA_DIR: dir,
          GATEHOUSE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
          GATEHOUSE_ADMIN_TOKEN: ADMIN,
          // one public address for both, as a load balancer gives them
          GATEHOUSE_PUBLIC_URL: publicUrl,
        });
      }),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') servers.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(async () => {
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await store?.drop();
  });

  const admin = async (base: string, method: string, url: string, body?: unknown) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as Record<string, string>;
  };
  /** the same request sent to the other instance, as a load balancer might */
  const onB = (url: string) => url.replace(publicUrl, other);

  it('authorizes on one instance, exchanges and refreshes on the other', async () => {
    const pool = await admin(publicUrl, 'POST', '/api/v1/pools', { name: 'Shared' });
    const poolId = pool['id'] ?? '';
    await admin(other, 'POST', `/api/v1/pools/${poolId}/users`, { username: 'uma', password: 'uma-password' });
    const app = await admin(other, 'POST', `/api/v1/pools/${poolId}/applications`, { name: 'Web', type: 'web', redirectUris: [CALLBACK] });
    const issuer = `${publicUrl}/oidc/${poolId}`;

    // Discovery on B answers the same issuer and keys as A.
    const jwksA = await (await fetch(`${issuer}/jwks`)).text();
    expect(await (await fetch(onB(`${issuer}/jwks`))).text()).toBe(jwksA);

    const onA = await client.discovery(new URL(issuer), app['clientId'] ?? '', app['clientSecret'], undefined, { execute: [client.allowInsecureRequests] });
    const viaB = await client.discovery(new URL(issuer), app['clientId'] ?? '', app['clientSecret'], undefined, { execute: [client.allowInsecureRequests] });
    viaB[client.customFetch] = (url, options) => fetch(onB(url), options);

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorize = client.buildAuthorizationUrl(onA, {
      redirect_uri: CALLBACK,
      scope: 'openid offline_access',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const browser = new Browser();
    const started = await browser.fetch(authorize.toString()); // A
    const interactionUrl = started.headers.get('location') ?? '';
    const page = await browser.fetch(onB(interactionUrl)); // B renders the sign-in page
    expect(page.status).toBe(200);
    const form = readForm(await page.text(), interactionUrl);
    // posted to A; the provider's resume step is served by B, which sends the browser back with a code
    const posted = await browser.fetch(form.action, { form: { csrf: form.csrf, account: 'uma', password: 'uma-password' } });
    expect(posted.status).toBe(303);
    const resumed = await browser.follow(onB(new URL(posted.headers.get('location') ?? '', form.action).toString()), CALLBACK);
    expect(resumed.url.startsWith(CALLBACK)).toBe(true);

    const tokens = await client.authorizationCodeGrant(viaB, new URL(resumed.url), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()?.iss).toBe(issuer);
    expect((await client.fetchUserInfo(onA, tokens.access_token, tokens.claims()?.sub ?? '')).sub).toBe(tokens.claims()?.sub);

    const first = await client.refreshTokenGrant(onA, tokens.refresh_token ?? '');
    const second = await client.refreshTokenGrant(viaB, first.refresh_token ?? '');
    expect(second.access_token).toBeTruthy();
    // the replay of a used token, on the other instance, revokes the grant everywhere
    await expect(client.refreshTokenGrant(viaB, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(onA, second.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
