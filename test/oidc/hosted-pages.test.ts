/**
 * The hosted pages over plain HTTP: the contract's labels and failure messages, the
 * login use case behind the form (throttling included), CSRF on every form, size limits,
 * security headers, cookie flags under an https public URL, create account, forgot and
 * reset password, and the error page instead of a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, discover, readForm, signIn, startCodeFlow, startOidcServer, type OidcTestServer } from './support.js';
import type * as client from 'openid-client';

const CALLBACK = 'http://localhost:8765/callback';

describe('hosted sign-in pages', () => {
  let server: OidcTestServer;
  let poolId: string;
  let rp: client.Configuration;

  beforeAll(async () => {
    server = await startOidcServer('sqlite', { throttle: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 50, windowSeconds: 60 } });
    poolId = await server.createPool('Northwind Traders');
    for (const body of [
      { username: 'dave', email: 'dave@example.com', password: 'dave-password' },
      { username: 'erin', email: 'erin@example.com', password: 'erin-password', blocked: true },
      { username: 'frank', password: 'frank-password' },
    ]) {
      expect((await server.admin('POST', `/api/v1/pools/${poolId}/users`, body)).statusCode).toBe(201);
    }
    const app = await server.createApplication(poolId, { name: 'Northwind Portal', type: 'web', redirectUris: [CALLBACK] });
    rp = await discover(server.issuer(poolId), app.clientId, app.clientSecret);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function openSignIn() {
    const flow = await startCodeFlow(rp, CALLBACK, 'openid');
    const opened = await flow.browser.follow(flow.authorizationUrl.toString(), CALLBACK);
    return { flow, page: readForm(await opened.response.text(), opened.url), response: opened.response, url: opened.url };
  }

  it('renders the sign-in page with the contract\'s labels, the pool and application names, and strict headers', async () => {
    const { page, response } = await openSignIn();
    expect(response.status).toBe(200);
    expect(page.html).toContain('<label for="account">Email, username or phone</label>');
    expect(page.html).toContain('<label for="password">Password</label>');
    expect(page.html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(page.html).toMatch(/<a href="[^"]+\/register">Create account<\/a>/);
    expect(page.html).toMatch(/<a href="[^"]+\/forgot-password">Forgot password\?<\/a>/);
    expect(page.html).toContain('Northwind Traders');
    expect(page.html).toContain('Northwind Portal');
    expect(page.html).not.toMatch(/<script/i);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/form-action 'self' http:\/\/localhost:8765/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(page.html).toContain(`<style nonce="${nonce}">`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('shows the contract\'s failure messages from the one login use case, throttling included', async () => {
    const { flow, page } = await openSignIn();
    const attempt = async (account: string, password: string) => {
      const current = readForm((await (await flow.browser.fetch(page.action.replace(/\/login$/, ''))).text()), page.action);
      const response = await flow.browser.fetch(page.action, { form: { csrf: current.csrf, account, password } });
      return { status: response.status, html: await response.text() };
    };
    const unknown = await attempt('nobody@example.com', 'whatever-password');
    expect(unknown.status).toBe(401);
    expect(unknown.html).toContain('role="alert">Wrong username or password<');

    const blocked = await attempt('erin', 'erin-password');
    expect(blocked.status).toBe(403);
    expect(blocked.html).toContain('This account is blocked');

    const wrong = await attempt('dave', 'not-daves-password');
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Wrong username or password');
    expect(wrong.html).toContain('value="dave"');
    expect(wrong.html).not.toContain('not-daves-password');
    await attempt('dave', 'not-daves-password');
    await attempt('dave', 'not-daves-password');
    const throttled = await attempt('dave', 'dave-password');
    expect(throttled.status).toBe(429);
    expect(throttled.html).toContain('Too many attempts, try again later');
    // the API's login is the same use case: it is throttled for dave too
    const api = await server.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username: 'dave', password: 'dave-password' } });
    expect(api.statusCode).toBe(429);
  });

  it('signs in by username, email or phone-less accounts and returns to the application', async () => {
    const flow = await startCodeFlow(rp, CALLBACK, 'openid');
    const { callback } = await signIn(flow, CALLBACK, 'frank', 'frank-password');
    expect(callback?.searchParams.get('code')).toBeTruthy();
  });

  it('refuses a form without the CSRF token, or with another browser\'s', async () => {
    const { flow, page } = await openSignIn();
    const missing = await flow.browser.fetch(page.action, { form: { account: 'frank', password: 'frank-password' } });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('This form has expired');
    const other = await openSignIn();
    const foreign = await flow.browser.fetch(page.action, { form: { csrf: other.page.csrf, account: 'frank', password: 'frank-password' } });
    expect(foreign.status).toBe(403);
  });

  it('validates every field and refuses oversized forms without a stack trace', async () => {
    const { flow, page } = await openSignIn();
    const empty = await flow.browser.fetch(page.action, { form: { csrf: page.csrf, account: '', password: 'x' } });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Email, username or phone is required');
    const long = await flow.browser.fetch(page.action, { form: { csrf: page.csrf, account: 'a'.repeat(400), password: 'x' } });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('at most 320 characters');
    const control = await flow.browser.fetch(page.action, { form: { csrf: page.csrf, account: 'fr\u0000ank', password: 'x' } });
    expect(control.status).toBe(400);
    const huge = await flow.browser.fetch(page.action, { form: { csrf: page.csrf, account: 'frank', password: 'p'.repeat(20_000) } });
    expect(huge.status).toBe(413);
    const hugeText = await huge.text();
    expect(hugeText).toContain('The form was larger than allowed.');
    expect(hugeText).not.toMatch(/FST_|Error:|at .+:\d+:\d+/);
    const json = await flow.browser.fetch(page.action, { headers: { 'content-type': 'application/json' }, method: 'POST' });
    expect(json.status).toBeLessThan(500);
  });

  it('answers an expired or unknown interaction with the error page', async () => {
    const browser = new Browser();
    const response = await browser.fetch(`${server.baseUrl}/oidc/${poolId}/interaction/does-not-exist`);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('This sign-in has expired');
    expect(html).toContain('Northwind Traders');
    const noPool = await browser.fetch(`${server.baseUrl}/oidc/nope/interaction/abc`);
    expect(noPool.status).toBe(404);
  });

  it('creates an account on the hosted page and signs the new user in', async () => {
    const { flow, page } = await openSignIn();
    const registerUrl = page.action.replace(/\/login$/, '/register');
    const form = readForm(await (await flow.browser.fetch(registerUrl)).text(), registerUrl);
    expect(form.html).toContain('<label for="email">Email</label>');
    expect(form.html).toContain('<label for="password">Password</label>');
    expect(form.html).toMatch(/<button type="submit">Create account<\/button>/);
    const short = await flow.browser.fetch(form.action, { form: { csrf: form.csrf, email: 'gina@example.com', password: 'short' } });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('Password must be at least 8 characters');
    const done = await flow.browser.follow(form.action, CALLBACK, { form: { csrf: form.csrf, email: 'gina@example.com', password: 'gina-password' } });
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const found = await server.admin('GET', `/api/v1/pools/${poolId}/users/find?email=gina@example.com`);
    expect(found.statusCode).toBe(200);
    const again = await flow.browser.fetch(form.action, { form: { csrf: form.csrf, email: 'gina@example.com', password: 'gina-password' } });
    expect(again.status).toBeLessThan(500);
  });

  it('renders forgot password with its fixed answer and reset password with its form', async () => {
    const { flow, page } = await openSignIn();
    const forgotUrl = page.action.replace(/\/login$/, '/forgot-password');
    const forgot = readForm(await (await flow.browser.fetch(forgotUrl)).text(), forgotUrl);
    expect(forgot.html).toContain('<label for="email">Email</label>');
    expect(forgot.html).toMatch(/<button type="submit">Send reset link<\/button>/);
    for (const email of ['dave@example.com', 'nobody@example.com']) {
      const answered = await flow.browser.fetch(forgot.action, { form: { csrf: forgot.csrf, email } });
      expect(answered.status).toBe(200);
      expect(await answered.text()).toContain('If an account exists for that email, we sent a link to reset the password.');
    }
    const resetUrl = `${server.baseUrl}/oidc/${poolId}/reset-password?token=abc123`;
    const reset = readForm(await (await flow.browser.fetch(resetUrl)).text(), resetUrl);
    expect(reset.html).toContain('<label for="password">New password</label>');
    expect(reset.html).toMatch(/<button type="submit">Set password<\/button>/);
    const submitted = await flow.browser.fetch(reset.action, { form: { csrf: reset.csrf, token: 'abc123', password: 'new-password-1' } });
    expect(submitted.status).toBe(400);
    expect(await submitted.text()).toContain('This reset link is invalid or has expired');
    const badToken = await flow.browser.fetch(`${server.baseUrl}/oidc/${poolId}/reset-password?token=${'<'.repeat(3)}`);
    expect(badToken.status).toBe(400);
  });
});

describe('hosted pages under an https public URL', () => {
  let server: OidcTestServer;
  let poolId: string;

  beforeAll(async () => {
    server = await startOidcServer('sqlite', { publicUrl: 'https://id.example.test' });
    poolId = await server.createPool('Secure Pool');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('derives the issuer from GATEHOUSE_PUBLIC_URL and marks every cookie Secure, HttpOnly and SameSite=Lax', async () => {
    const app = await server.createApplication(poolId, { name: 'App', type: 'web', redirectUris: ['https://app.example.test/cb'] });
    const discovery = await (await fetch(`${server.baseUrl}/oidc/${poolId}/.well-known/openid-configuration`)).json() as Record<string, string>;
    expect(discovery['issuer']).toBe(`https://id.example.test/oidc/${poolId}`);
    expect(discovery['authorization_endpoint']).toBe(`https://id.example.test/oidc/${poolId}/auth`);

    const query = new URLSearchParams({
      client_id: app.clientId, response_type: 'code', scope: 'openid', redirect_uri: 'https://app.example.test/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    });
    const browser = new Browser();
    const authorize = await browser.fetch(`${server.baseUrl}/oidc/${poolId}/auth?${query}`);
    expect(authorize.status).toBe(303);
    const location = authorize.headers.get('location') ?? '';
    expect(location.startsWith(`https://id.example.test/oidc/${poolId}/interaction/`)).toBe(true);
    const page = await browser.fetch(`${server.baseUrl}${new URL(location).pathname}`);
    expect(page.status).toBe(200);
    const cookies = [...authorize.headers.getSetCookie(), ...page.headers.getSetCookie()];
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/; secure/i);
      expect(cookie).toMatch(/; httponly/i);
      expect(cookie).toMatch(/; samesite=lax/i);
    }
  });
});
