/**
 * The hosted verify-email page over plain HTTP, from the link in the mail (read from the
 * pool's development outbox): opening the link verifies nothing (mail scanners open
 * links), the button does; the form is CSRF-protected, and a used, unknown or malformed
 * token gets the contract's sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, readForm, startOidcServer, type OidcTestServer } from './support.js';

describe('hosted verify-email page', () => {
  let server: OidcTestServer;
  let poolId: string;

  beforeAll(async () => {
    server = await startOidcServer('sqlite');
    poolId = await server.createPool('Northwind Traders');
  });
  afterAll(async () => {
    await server?.close();
  });

  async function createUser(email: string): Promise<string> {
    const created = await server.admin('POST', `/api/v1/pools/${poolId}/users`, { email, password: 'some-password-1' });
    expect(created.statusCode, created.body).toBe(201);
    return (created.json() as { id: string }).id;
  }

  async function verificationLink(userId: string, email: string): Promise<string> {
    const sent = await server.admin('POST', `/api/v1/pools/${poolId}/users/${userId}/send-verification-email`);
    expect(sent.statusCode, sent.body).toBe(202);
    const outbox = (await server.admin('GET', `/api/v1/pools/${poolId}/outbox`)).json() as { list: { to: string; text: string }[] };
    const mail = outbox.list.find((entry) => entry.to === email);
    const link = /https?:\/\/\S+\/verify-email\?token=\S+/.exec(mail?.text ?? '')?.[0];
    if (!link) throw new Error(`no verification link in the outbox: ${JSON.stringify(outbox)}`);
    return link;
  }

  const emailVerified = async (userId: string) =>
    ((await server.admin('GET', `/api/v1/pools/${poolId}/users/${userId}`)).json() as { emailVerified: boolean }).emailVerified;

  it('shows a button on GET and verifies the address only when it is pressed, once', async () => {
    const userId = await createUser('vera@example.com');
    const link = await verificationLink(userId, 'vera@example.com');
    expect(link.startsWith(`${server.baseUrl}/oidc/${poolId}/verify-email?token=`)).toBe(true);
    const browser = new Browser();

    const opened = await browser.fetch(link);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('cache-control')).toBe('no-store');
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    const form = readForm(await opened.text(), link);
    expect(form.html).toMatch(/<button type="submit">Verify email<\/button>/);
    expect(form.html).toContain('Northwind Traders');
    expect(form.action).toBe(`${server.baseUrl}/oidc/${poolId}/verify-email`);
    // a second GET (a scanner, a preview) still verifies nothing
    expect((await browser.fetch(link)).status).toBe(200);
    expect(await emailVerified(userId)).toBe(false);

    const token = new URL(link).searchParams.get('token') ?? '';
    const pressed = await browser.fetch(form.action, { form: { csrf: form.csrf, token } });
    expect(pressed.status).toBe(200);
    const done = await pressed.text();
    expect(done).toContain('Your email address is verified.');
    expect(done).not.toMatch(/<button/);
    expect(await emailVerified(userId)).toBe(true);

    const again = await browser.fetch(form.action, { form: { csrf: form.csrf, token } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This link is invalid or has expired');
  });

  it('refuses a post without the CSRF token and keeps the link usable', async () => {
    const userId = await createUser('cross@example.com');
    const link = await verificationLink(userId, 'cross@example.com');
    const token = new URL(link).searchParams.get('token') ?? '';
    const browser = new Browser();
    const form = readForm(await (await browser.fetch(link)).text(), link);

    const forged = await new Browser().fetch(form.action, { form: { csrf: form.csrf, token } });
    expect(forged.status).toBe(403);
    const missing = await browser.fetch(form.action, { form: { token } });
    expect(missing.status).toBe(403);
    expect(await emailVerified(userId)).toBe(false);

    const pressed = await browser.fetch(form.action, { form: { csrf: form.csrf, token } });
    expect(await pressed.text()).toContain('Your email address is verified.');
    expect(await emailVerified(userId)).toBe(true);
  });

  it('answers an unknown, malformed or missing token and an unknown pool without a stack trace', async () => {
    const browser = new Browser();
    const unknownLink = `${server.baseUrl}/oidc/${poolId}/verify-email?token=not-a-real-token`;
    const form = readForm(await (await browser.fetch(unknownLink)).text(), unknownLink);
    const refused = await browser.fetch(form.action, { form: { csrf: form.csrf, token: 'not-a-real-token' } });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('This link is invalid or has expired');

    for (const query of ['', '?token=', `?token=${'<'.repeat(3)}`, `?token=${'a'.repeat(600)}`]) {
      const bad = await browser.fetch(`${server.baseUrl}/oidc/${poolId}/verify-email${query}`);
      expect(bad.status, query).toBe(400);
      const html = await bad.text();
      expect(html).toContain('This link is invalid or has expired');
      expect(html).not.toMatch(/at .+\.ts:\d+/);
    }
    const noPool = await browser.fetch(`${server.baseUrl}/oidc/no-such-pool/verify-email?token=abc`);
    expect(noPool.status).toBe(404);
  });
});
