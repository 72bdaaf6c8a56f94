/**
 * Forgot / reset password for a local user, through the HTTP API, with a real SMTP
 * server receiving the mail: the link is followed, the old password stops working, the
 * token works once, unknown/expired/forged tokens are refused, unknown emails get the same
 * 202, a flood is throttled, and an SMTP server that is down gets the mail once it is up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { linkIn, startSmtpReceiver, type SmtpReceiver } from '../mail/smtp-receiver.js';

const PUBLIC_URL = 'https://id.example.test/gatehouse';
const LIMITS = { perEmail: 3, perAddress: 1000, windowSeconds: 900 };

describe('password reset of a local user (SMTP)', () => {
  let smtp: SmtpReceiver;
  let t: TestServer;
  let poolId: string;
  let clock = Date.now();
  const logs: string[] = [];
  const resets: [string, string][] = [];
  const auth = (path: string) => `/api/v1/pools/${poolId}/auth/${path}`;
  const login = (account: string, password: string) => t.request('POST', auth('login'), { body: { account, password } });
  const forgot = (email: string, headers: Record<string, string> = {}) =>
    t.request('POST', auth('forgot-password'), { body: { email }, headers });
  const reset = (token: string, password: string) => t.request('POST', auth('reset-password'), { body: { token, password } });

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    t = await startTestServer(
      'sqlite',
      { smtpUrl: smtp.url, mailFrom: 'Acme Login <login@acme.test>', publicUrl: PUBLIC_URL, trustProxy: true },
      {
        now: () => clock,
        forgotPasswordLimits: LIMITS,
        logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
      },
    );
    t.server.onPasswordReset.push(async (pool, user) => void resets.push([pool, user]));
    poolId = await t.createPool('Acme Rockets');
    for (const [email, username] of [['Ada@Example.com', 'ada'], ['bo@example.com', 'bo'], ['cy@example.com', 'cy']]) {
      const registered = await t.request('POST', auth('register'), { body: { email, username, password: `${username}-old-password` } });
      expect(registered.statusCode, registered.body).toBe(201);
    }
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  afterEach(() => {
    clock = Date.now();
  });

  it('mails a link under GATEHOUSE_PUBLIC_URL whose token sets a new password; the old one fails, the token works once', async () => {
    const answer = await forgot('ada@example.com');
    expect(answer.statusCode).toBe(202);
    expect(answer.body).toBe('');
    const mail = await smtp.next();
    // the stored address (nodemailer lower-cases the domain)
    expect(mail.to.map((to) => to.toLowerCase())).toEqual(['ada@example.com']);
    expect(mail.from).toBe('login@acme.test');
    expect(mail.subject).toContain('Acme Rockets');
    expect(mail.html).toContain('Acme Rockets');
    const { url, token } = linkIn(mail);
    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/oidc/${poolId}/reset-password`);
    expect(mail.html).toContain(token);

    expect((await reset(token, 'ada-new-password')).statusCode).toBe(204);
    expect((await login('ada@example.com', 'ada-old-password')).statusCode).toBe(401);
    const fresh = await login('ada@example.com', 'ada-new-password');
    expect(fresh.statusCode).toBe(200);
    expect(resets).toContainEqual([poolId, fresh.json().user.id]);

    const again = await reset(token, 'ada-third-password');
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('INVALID_TOKEN');
    expect((await login('ada@example.com', 'ada-new-password')).statusCode).toBe(200);
  });

  it('never takes the link from the Host or X-Forwarded-Host header', async () => {
    await forgot('bo@example.com', { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' });
    const { url } = linkIn(await smtp.next());
    expect(url.origin).toBe('https://id.example.test');
    expect(url.pathname).toBe(`/gatehouse/oidc/${poolId}/reset-password`);
  });

  it('answers an unknown email exactly like a known one and sends nothing', async () => {
    const before = smtp.messages.length;
    const known = await forgot('cy@example.com');
    const unknown = await forgot('nobody@example.com');
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    const headerNames = (response: typeof known) => Object.keys(response.headers).sort();
    expect(headerNames(unknown)).toEqual(headerNames(known));
    await t.server.mailIdle();
    await smtp.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.messages.length).toBe(before + 1);
    expect(smtp.messages.at(-1)?.to).toEqual(['cy@example.com']);
  });

  it('refuses unknown, forged and expired tokens with INVALID_TOKEN', async () => {
    for (const token of ['nope', 'A'.repeat(43), 'x'.repeat(512), '../../etc/passwd']) {
      const response = await reset(token, 'some-new-password');
      expect(response.statusCode, token).toBe(400);
      expect(response.json().error.code).toBe('INVALID_TOKEN');
    }
    clock = Date.now();
    await forgot('cy@example.com');
    const { token } = linkIn(await smtp.next());
    clock += 31 * 60_000;
    const late = await reset(token, 'cy-new-password');
    expect(late.statusCode).toBe(400);
    expect(late.json().error.code).toBe('INVALID_TOKEN');
    expect((await login('cy', 'cy-old-password')).statusCode).toBe(200);

    clock = Date.now();
    await forgot('cy@example.com');
    const second = linkIn(await smtp.next());
    clock += 29 * 60_000;
    expect((await reset(second.token, 'cy-new-password')).statusCode).toBe(204);
  });

  it('refuses weak and oversized passwords naming the rule, and keeps the token', async () => {
    await forgot('bo@example.com');
    const { token } = linkIn(await smtp.next());
    for (const password of ['short', 'x'.repeat(257)]) {
      const response = await reset(token, password);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(response.json().error.message).toMatch(/^body\.password must NOT have (fewer than 8|more than 256) characters$/);
    }
    expect((await reset(token, 'bo-new-password')).statusCode).toBe(204);
  });

  it('throttles a flood: exactly the per-email budget of mail, and every answer a 202', async () => {
    await t.request('POST', auth('register'), { body: { email: 'flo@example.com', password: 'flo-old-password' } });
    await t.server.mailIdle();
    const toFlo = () => smtp.messages.filter((mail) => mail.to.includes('flo@example.com')).length;
    const answers = await Promise.all(Array.from({ length: 12 }, () => forgot('flo@example.com')));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(12).fill(202));
    await t.server.mailIdle();
    await expect.poll(toFlo, { timeout: 10_000 }).toBeGreaterThanOrEqual(LIMITS.perEmail);
    // time for any mail beyond the budget to arrive too
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(toFlo()).toBe(LIMITS.perEmail);
    // drain them so later tests read their own mail
    while (await smtp.next(100).catch(() => undefined)) {
      /* taken */
    }
  });

  it('never writes a token or a password to the log', async () => {
    const all = logs.join('');
    for (const mail of smtp.messages) expect(all).not.toContain(linkIn(mail).token);
    expect(all).not.toMatch(/new-password|old-password/);
  });
});

describe('password reset with the SMTP server down', () => {
  it('answers 202 and delivers by retrying once the server is up', async () => {
    const probe = await startSmtpReceiver();
    const port = probe.port;
    await probe.close();
    const logs: string[] = [];
    const t = await startTestServer(
      'sqlite',
      { smtpUrl: `smtp://127.0.0.1:${port}` },
      { mailRetryDelaysMs: [200, 400, 800, 800, 800, 800], logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } } },
    );
    let smtp: SmtpReceiver | undefined;
    try {
      const poolId = await t.createPool('Down Mail');
      await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { email: 'dee@example.com', password: 'dee-old-password' } });
      const answer = await t.request('POST', `/api/v1/pools/${poolId}/auth/forgot-password`, { body: { email: 'dee@example.com' } });
      expect(answer.statusCode).toBe(202);
      await expect.poll(() => logs.some((line) => line.includes('will retry')), { timeout: 5000 }).toBe(true);
      smtp = await startSmtpReceiver(port);
      const mail = await smtp.next(10_000);
      expect(mail.to).toEqual(['dee@example.com']);
      const { token } = linkIn(mail);
      const done = await t.request('POST', `/api/v1/pools/${poolId}/auth/reset-password`, { body: { token, password: 'dee-new-password' } });
      expect(done.statusCode).toBe(204);
      expect(logs.join('')).not.toContain(token);
    } finally {
      await t.close();
      await smtp?.close();
    }
  });
});
