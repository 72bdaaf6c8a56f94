/**
 * A real relying party (openid-client 6) against a listening Gatehouse, on both store
 * dialects: discovery, authorization code + PKCE through the hosted form, userinfo
 * claims, refresh rotation and reuse revocation, revocation, introspection, logout,
 * client credentials, pools that never accept each other's tokens, and bad input
 * answered in OAuth's format (never a 500).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describeEachDialect } from '../support/dialects.js';
import { Browser, discover, readForm, signIn, signInAndExchange, startCodeFlow, startOidcServer, type OidcTestServer } from './support.js';

const CALLBACK = 'http://127.0.0.1:8765/callback';
const AFTER_LOGOUT = 'http://127.0.0.1:8765/signed-out';
const CAROL = {
  username: 'carol',
  email: 'carol@example.com',
  emailVerified: true,
  phone: '+15550100',
  phoneVerified: false,
  name: 'Carol Danvers',
  nickname: 'cap',
  givenName: 'Carol',
  familyName: 'Danvers',
  photo: 'https://img.example.com/carol.png',
  password: 'carol-password-1',
};

describeEachDialect('OpenID Connect with a real relying party', (dialect) => {
  let server: OidcTestServer;
  let poolId: string;
  let otherPoolId: string;
  let web: { id: string; clientId: string; clientSecret?: string };
  let rp: client.Configuration;
  let carolId: string;

  beforeAll(async () => {
    server = await startOidcServer(dialect);
    poolId = await server.createPool('Acme');
    otherPoolId = await server.createPool('Globex');
    const created = await server.admin('POST', `/api/v1/pools/${poolId}/users`, CAROL);
    expect(created.statusCode).toBe(201);
    carolId = created.json<{ id: string }>().id;
    web = await server.createApplication(poolId, {
      name: 'Acme Web',
      type: 'web',
      redirectUris: [CALLBACK],
      postLogoutRedirectUris: [AFTER_LOGOUT],
    });
    rp = await discover(server.issuer(poolId), web.clientId, web.clientSecret);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('announces every endpoint under the pool issuer in discovery', async () => {
    const metadata = rp.serverMetadata();
    const issuer = server.issuer(poolId);
    expect(metadata.issuer).toBe(issuer);
    for (const endpoint of [
      metadata.authorization_endpoint,
      metadata.token_endpoint,
      metadata.userinfo_endpoint,
      metadata.jwks_uri,
      metadata.revocation_endpoint,
      metadata.introspection_endpoint,
      metadata.end_session_endpoint,
    ]) {
      expect(endpoint?.startsWith(`${issuer}/`)).toBe(true);
    }
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'phone', 'offline_access']));
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(metadata.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256']));
    expect(metadata.id_token_signing_alg_values_supported).not.toContain('HS256');
  });

  it('signs a user in with code + PKCE and answers the contract claims from userinfo', async () => {
    const { tokens } = await signInAndExchange(rp, CALLBACK, 'carol@example.com', CAROL.password);
    expect(decodeProtectedHeader(tokens.id_token ?? '').alg).toBe('ES256');
    const idClaims = tokens.claims();
    expect(idClaims?.sub).toBe(carolId);
    expect(idClaims?.iss).toBe(server.issuer(poolId));
    expect(tokens.refresh_token).toBeTruthy();

    const info = await client.fetchUserInfo(rp, tokens.access_token, carolId);
    expect(info).toMatchObject({
      sub: carolId,
      email: CAROL.email,
      email_verified: true,
      phone_number: CAROL.phone,
      phone_number_verified: false,
      preferred_username: 'carol',
      name: 'Carol Danvers',
      nickname: 'cap',
      picture: CAROL.photo,
      given_name: 'Carol',
      family_name: 'Danvers',
    });
    expect(typeof info.updated_at).toBe('number');
  });

  it('answers only the claims of the scopes asked for', async () => {
    const { tokens } = await signInAndExchange(rp, CALLBACK, 'carol', CAROL.password, 'openid email');
    const info = await client.fetchUserInfo(rp, tokens.access_token, carolId);
    expect(info.email).toBe(CAROL.email);
    expect(info.name).toBeUndefined();
    expect(info.phone_number).toBeUndefined();
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('grants offline_access to a signed-in user without a consent page (first-party)', async () => {
    const flow = await startCodeFlow(rp, CALLBACK, 'openid');
    const { callback } = await signIn(flow, CALLBACK, 'carol', CAROL.password);
    await client.authorizationCodeGrant(rp, callback as URL, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    // Same browser, now asking for offline access: straight back with a code, no page shown.
    const verifier = client.randomPKCECodeVerifier();
    const again = await flow.browser.follow(
      client
        .buildAuthorizationUrl(rp, {
          redirect_uri: CALLBACK,
          scope: 'openid offline_access',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        })
        .toString(),
      CALLBACK,
    );
    expect(again.url.startsWith(CALLBACK)).toBe(true);
    const tokens = await client.authorizationCodeGrant(rp, new URL(again.url), { pkceCodeVerifier: verifier });
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ')).toContain('offline_access');
  });

  it('rotates the refresh token on every use and revokes the grant when a used one comes back', async () => {
    const { tokens } = await signInAndExchange(rp, CALLBACK, 'carol', CAROL.password);
    const first = tokens.refresh_token ?? '';
    const refreshed = await client.refreshTokenGrant(rp, first);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first);
    expect((await client.fetchUserInfo(rp, refreshed.access_token, carolId)).sub).toBe(carolId);

    // The first token again: a replay. The library answers invalid_grant and drops the grant.
    await expect(client.refreshTokenGrant(rp, first)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(rp, refreshed.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(rp, refreshed.access_token, carolId)).rejects.toThrow();
    const introspected = await client.tokenIntrospection(rp, refreshed.access_token);
    expect(introspected.active).toBe(false);
  });

  it('introspects and revokes tokens', async () => {
    const { tokens } = await signInAndExchange(rp, CALLBACK, 'carol', CAROL.password);
    const active = await client.tokenIntrospection(rp, tokens.access_token);
    expect(active).toMatchObject({ active: true, sub: carolId, client_id: web.clientId, iss: server.issuer(poolId) });
    expect((await client.tokenIntrospection(rp, 'not-a-token')).active).toBe(false);

    await client.tokenRevocation(rp, tokens.access_token);
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
    await expect(client.fetchUserInfo(rp, tokens.access_token, carolId)).rejects.toThrow();

    await client.tokenRevocation(rp, tokens.refresh_token ?? '');
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('signs out at the end-session endpoint after a "Sign out" confirmation', async () => {
    const flow = await startCodeFlow(rp, CALLBACK);
    const { callback } = await signIn(flow, CALLBACK, 'carol', CAROL.password);
    const tokens = await client.authorizationCodeGrant(rp, callback as URL, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });

    // Signed in: a second authorization goes straight back with a code.
    const again = await flow.browser.follow(client.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(flow.verifier), code_challenge_method: 'S256',
    }).toString(), CALLBACK);
    expect(again.url.startsWith(CALLBACK)).toBe(true);

    const endSession = client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: AFTER_LOGOUT });
    const confirm = await flow.browser.fetch(endSession.toString());
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toMatch(/<button[^>]*name="logout"[^>]*>Sign out<\/button>/);
    expect(confirm.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/.exec(html)?.[1] ?? /action="([^"]+)"[^>]*id="op.logoutForm"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    expect(action && xsrf).toBeTruthy();
    const done = await flow.browser.follow(new URL(action ?? '', endSession).toString(), AFTER_LOGOUT, { form: { xsrf: xsrf ?? '', logout: 'yes' } });
    expect(done.url.startsWith(AFTER_LOGOUT)).toBe(true);

    // Signed out: the next authorization shows the sign-in page again.
    const after = await flow.browser.follow(client.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(flow.verifier), code_challenge_method: 'S256',
    }).toString(), CALLBACK);
    expect(after.url.startsWith(CALLBACK)).toBe(false);
    expect(readForm(await after.response.text(), after.url).html).toContain('Sign in');
  });

  it('issues client-credentials tokens to m2m applications only', async () => {
    const machine = await server.createApplication(poolId, { name: 'Nightly job', type: 'm2m', redirectUris: [] });
    const m2m = await discover(server.issuer(poolId), machine.clientId, machine.clientSecret);
    const tokens = await client.clientCredentialsGrant(m2m);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
    expect(await client.tokenIntrospection(m2m, tokens.access_token)).toMatchObject({ active: true, client_id: machine.clientId });
    // secret sent in the body works too (client_secret_post)
    const post = await discover(server.issuer(poolId), machine.clientId, undefined);
    const viaPost = await fetch(post.serverMetadata().token_endpoint ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret ?? '' }),
    });
    expect(viaPost.status).toBe(200);
    // a web application may not use client credentials
    await expect(client.clientCredentialsGrant(rp)).rejects.toMatchObject({ error: expect.stringMatching(/^(unauthorized_client|invalid_request)$/) });
    // and the wrong secret is refused
    const wrong = await discover(server.issuer(poolId), machine.clientId, 'not-the-secret');
    await expect(client.clientCredentialsGrant(wrong)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('signs ID tokens with RS256 for a client registered with it', async () => {
    const rsa = await server.createApplication(poolId, { name: 'Legacy RP', type: 'web', redirectUris: [CALLBACK], idTokenSigningAlg: 'RS256' });
    const legacyRp = await discover(server.issuer(poolId), rsa.clientId, rsa.clientSecret);
    const { tokens } = await signInAndExchange(legacyRp, CALLBACK, 'carol', CAROL.password, 'openid');
    expect(decodeProtectedHeader(tokens.id_token ?? '').alg).toBe('RS256');
  });

  it('never accepts one pool\'s tokens, codes or clients in another', async () => {
    const { tokens } = await signInAndExchange(rp, CALLBACK, 'carol', CAROL.password);
    const otherApp = await server.createApplication(otherPoolId, { name: 'Globex Web', type: 'web', redirectUris: [CALLBACK] });
    const otherRp = await discover(server.issuer(otherPoolId), otherApp.clientId, otherApp.clientSecret);
    // access token: unknown to the other pool's userinfo and introspection
    const userinfo = await fetch(otherRp.serverMetadata().userinfo_endpoint ?? '', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect((await client.tokenIntrospection(otherRp, tokens.access_token)).active).toBe(false);
    // refresh token: not a grant of the other pool
    await expect(client.refreshTokenGrant(otherRp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    // ID token: the other pool's keys do not verify it, and its issuer is not the other pool's
    const otherJwks = createRemoteJWKSet(new URL(otherRp.serverMetadata().jwks_uri ?? ''));
    await expect(jwtVerify(tokens.id_token ?? '', otherJwks)).rejects.toThrow();
    expect(tokens.claims()?.iss).not.toBe(server.issuer(otherPoolId));
    // the client itself does not exist in the other pool
    const wrongPool = await discover(server.issuer(otherPoolId), web.clientId, web.clientSecret);
    await expect(client.clientCredentialsGrant(wrongPool)).rejects.toMatchObject({ error: 'invalid_client' });
    // and a code from this pool cannot be exchanged at the other pool
    const flow = await startCodeFlow(rp, CALLBACK);
    const { callback } = await signIn(flow, CALLBACK, 'carol', CAROL.password);
    const code = callback?.searchParams.get('code') ?? '';
    const exchange = await fetch(otherRp.serverMetadata().token_endpoint ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${otherApp.clientId}:${otherApp.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: flow.verifier }),
    });
    expect(exchange.status).toBe(400);
    expect(await exchange.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers bad requests in OAuth\'s format or on the error page, never redirecting to an unregistered URI', async () => {
    const authorize = rp.serverMetadata().authorization_endpoint ?? '';
    const browser = new Browser();
    const base = { response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' };

    const unknownClient = await browser.fetch(`${authorize}?${new URLSearchParams({ ...base, client_id: 'nobody', redirect_uri: CALLBACK })}`);
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.headers.get('location')).toBeNull();
    const unknownHtml = await unknownClient.text();
    expect(unknownHtml).toContain('invalid_client');
    expect(unknownHtml).not.toMatch(/at .+\.js:\d+/);

    const evil = await browser.fetch(`${authorize}?${new URLSearchParams({ ...base, client_id: web.clientId, redirect_uri: 'https://evil.example.com/cb' })}`);
    expect(evil.status).toBe(400);
    expect(evil.headers.get('location')).toBeNull();
    expect(await evil.text()).toContain('redirect_uri');

    // a public client must send PKCE: the error goes back to its (registered) redirect URI
    const spa = await server.createApplication(poolId, { name: 'Acme SPA', type: 'spa', redirectUris: [CALLBACK] });
    const noPkce = await browser.fetch(`${authorize}?${new URLSearchParams({ response_type: 'code', scope: 'openid', client_id: spa.clientId, redirect_uri: CALLBACK })}`);
    expect(noPkce.status).toBe(303);
    const back = new URL(noPkce.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);

    // codes: a forged one and a used one are invalid_grant
    const token = rp.serverMetadata().token_endpoint ?? '';
    const basic = `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}`;
    const exchange = (code: string, verifier: string) =>
      fetch(token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }),
      });
    const forged = await exchange('forged-code', 'v'.repeat(43));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: 'invalid_grant' });

    const flow = await startCodeFlow(rp, CALLBACK);
    const { callback } = await signIn(flow, CALLBACK, 'carol', CAROL.password);
    const code = callback?.searchParams.get('code') ?? '';
    const wrongVerifier = await exchange(code, 'w'.repeat(43));
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });

    const flow2 = await startCodeFlow(rp, CALLBACK);
    const second = await signIn(flow2, CALLBACK, 'carol', CAROL.password);
    const code2 = second.callback?.searchParams.get('code') ?? '';
    expect((await exchange(code2, flow2.verifier)).status).toBe(200);
    const reused = await exchange(code2, flow2.verifier);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });

    // the token endpoint's other failures
    const noGrant = await fetch(token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: 'grant_type=password&username=a&password=b' });
    expect(noGrant.status).toBe(400);
    expect(await noGrant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const junk = await fetch(token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' });
    expect(junk.status).toBeGreaterThanOrEqual(400);
    expect(junk.status).toBeLessThan(500);
    const huge = await fetch(token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: `grant_type=authorization_code&code=${'a'.repeat(200_000)}` });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);

    // an unknown pool
    const nowhere = await fetch(`${server.baseUrl}/oidc/no-such-pool/.well-known/openid-configuration`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses an expired access token and sweeps expired state from the store', async () => {
    const { tokens } = await signInAndExchange(rp, CALLBACK, 'carol', CAROL.password);
    const db = server.server.store.db;
    const past = new Date(Date.now() - 1000).toISOString();
    await db.updateTable('oidc_models').set({ expires_at: past }).where('kind', '=', 'AccessToken').where('id', '=', tokens.access_token).execute();
    const userinfo = await fetch(rp.serverMetadata().userinfo_endpoint ?? '', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expect(await server.server.oidc.sweepExpired()).toBeGreaterThanOrEqual(1);
    const left = await db.selectFrom('oidc_models').select('id').where('id', '=', tokens.access_token).execute();
    expect(left).toEqual([]);
  });

  it('rotates signing keys: the published next key signs, the previous one still verifies', async () => {
    const jwksUri = rp.serverMetadata().jwks_uri ?? '';
    const before = (await (await fetch(jwksUri)).json()) as { keys: { kid: string; alg: string }[] };
    expect(before.keys.filter((key) => key.alg === 'ES256')).toHaveLength(2);
    expect(before.keys.every((key) => !('d' in key))).toBe(true);
    const { tokens: old } = await signInAndExchange(rp, CALLBACK, 'carol', CAROL.password, 'openid');
    const signingKid = decodeProtectedHeader(old.id_token ?? '').kid;
    const nextKid = before.keys.find((key) => key.alg === 'ES256' && key.kid !== signingKid)?.kid;

    const rotated = await server.admin('POST', `/api/v1/pools/${poolId}/signing-keys/rotate`);
    expect(rotated.statusCode).toBe(204);
    const after = (await (await fetch(jwksUri)).json()) as { keys: { kid: string; alg: string }[] };
    expect(after.keys.filter((key) => key.alg === 'ES256').map((key) => key.kid)).toEqual(expect.arrayContaining([signingKid, nextKid]));
    expect(after.keys.filter((key) => key.alg === 'ES256')).toHaveLength(3);
    const { tokens: fresh } = await signInAndExchange(rp, CALLBACK, 'carol', CAROL.password, 'openid');
    expect(decodeProtectedHeader(fresh.id_token ?? '').kid).toBe(nextKid);
    // the token signed before the rotation still verifies against the published set
    await expect(jwtVerify(old.id_token ?? '', createRemoteJWKSet(new URL(jwksUri)), { currentDate: new Date() })).resolves.toBeTruthy();
  });
});
