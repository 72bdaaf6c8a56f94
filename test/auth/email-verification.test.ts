/**
 * Email verification: an admin's request and (when the pool's setting says so) a
 * registration mail a link; its token sets emailVerified once; a link never verifies an
 * address set after it was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { linkIn, startSmtpReceiver, type SmtpReceiver } from '../mail/smtp-receiver.js';

describe('email verification (SMTP)', () => {
  let smtp: SmtpReceiver;
  let t: TestServer;
  let poolId: string;
  const auth = (path: string) => `/api/v1/pools/${poolId}/auth/${path}`;
  const register = (email: string) => t.request('POST', auth('register'), { body: { email, password: 'a-good-password' } });
  const verify = (token: string) => t.request('POST', auth('verify-email'), { body: { token } });
  const user = async (id: string) => (await t.admin('GET', `/api/v1/pools/${poolId}/users/${id}`)).json();

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    t = await startTestServer('sqlite', { smtpUrl: smtp.url, publicUrl: 'https://login.example.test' });
    poolId = await t.createPool('Verify Co');
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('sends on an admin request; the link verifies the address once', async () => {
    const { user: registered } = (await register('fay@example.com')).json();
    expect(registered.emailVerified).toBe(false);
    const sent = await t.admin('POST', `/api/v1/pools/${poolId}/users/${registered.id}/send-verification-email`);
    expect(sent.statusCode).toBe(202);
    const mail = await smtp.next();
    expect(mail.subject).toContain('Verify Co');
    const { url, token } = linkIn(mail);
    expect(`${url.origin}${url.pathname}`).toBe(`https://login.example.test/oidc/${poolId}/verify-email`);
    expect((await verify(token)).statusCode).toBe(204);
    expect((await user(registered.id)).emailVerified).toBe(true);
    const again = await verify(token);
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('INVALID_TOKEN');
  });

  it('does not verify an address changed after the link was sent', async () => {
    const { user: registered } = (await register('gil@example.com')).json();
    await t.admin('POST', `/api/v1/pools/${poolId}/users/${registered.id}/send-verification-email`);
    const { token } = linkIn(await smtp.next());
    expect((await t.admin('PATCH', `/api/v1/pools/${poolId}/users/${registered.id}`, { email: 'gil2@example.com' })).statusCode).toBe(200);
    const response = await verify(token);
    expect(response.json().error.code).toBe('INVALID_TOKEN');
    expect((await user(registered.id)).emailVerified).toBe(false);
  });

  it('mails on registration only when the pool setting is on', async () => {
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/email-settings`)).json()).toEqual({ verifyEmailOnRegistration: false });
    await register('hal@example.com');
    await t.server.mailIdle();
    const before = smtp.messages.length;

    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/email-settings`, { verifyEmailOnRegistration: true });
    expect(saved.json()).toEqual({ verifyEmailOnRegistration: true });
    const { user: registered } = (await register('ida@example.com')).json();
    const mail = await smtp.next();
    expect(mail.to).toEqual(['ida@example.com']);
    expect(smtp.messages.length).toBe(before + 1);
    expect((await verify(linkIn(mail).token)).statusCode).toBe(204);
    expect((await user(registered.id)).emailVerified).toBe(true);
  });

  it('answers bad input with the API error codes', async () => {
    const missing = await t.admin('POST', `/api/v1/pools/${poolId}/users/no-such-user/send-verification-email`);
    expect(missing.json().error.code).toBe('USER_NOT_FOUND');
    const phoneOnly = await t.request('POST', auth('register'), { body: { phone: '+15550009999', password: 'a-good-password' } });
    const noEmail = await t.admin('POST', `/api/v1/pools/${poolId}/users/${phoneOnly.json().user.id}/send-verification-email`);
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.json().error.code).toBe('VALIDATION_ERROR');
    expect((await verify('forged-token')).json().error.code).toBe('INVALID_TOKEN');
    const extra = await t.request('POST', auth('verify-email'), { body: { token: 'x', extra: 1 } });
    expect(extra.json().error.code).toBe('VALIDATION_ERROR');
    const badSetting = await t.admin('PUT', `/api/v1/pools/${poolId}/email-settings`, { verifyEmailOnRegistration: 'yes' });
    expect(badSetting.statusCode).toBe(400);
  });
});
