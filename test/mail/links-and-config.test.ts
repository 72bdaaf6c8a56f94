/** The pure parts of mail: link URLs, templates, and the configuration they come from. */
import { describe, expect, it } from 'vitest';
import { resetLinkUrl, verificationLinkUrl } from '../../src/mail/links.js';
import { passwordResetMail, verificationMail } from '../../src/mail/templates.js';
import { DEFAULT_MAIL_FROM, loadConfig } from '../../src/config/config.js';

describe('mail links', () => {
  it('put the token in the `token` query parameter of a page under the public URL', () => {
    expect(resetLinkUrl('https://id.example.com', 'pool-1', 'abc_-9')).toBe('https://id.example.com/oidc/pool-1/reset-password?token=abc_-9');
    expect(verificationLinkUrl('https://id.example.com/base/', 'p', 't')).toBe('https://id.example.com/base/oidc/p/verify-email?token=t');
    expect(resetLinkUrl('http://127.0.0.1:3000', 'a/b', 'x+y')).toBe('http://127.0.0.1:3000/oidc/a%2Fb/reset-password?token=x%2By');
  });
});

describe('mail templates', () => {
  it('name the pool in the subject on one line and escape it in HTML', () => {
    const reset = passwordResetMail('Acme <b>\r\nBcc: x@evil', 'https://id/x?token=t&a=1', 30);
    expect(reset.subject).toBe('Reset your Acme <b> Bcc: x@evil password');
    expect(reset.html).toContain('Acme &lt;b&gt;');
    expect(reset.html).not.toContain('<b>');
    expect(reset.html).toContain('href="https://id/x?token=t&amp;a=1"');
    expect(reset.text).toContain('https://id/x?token=t&a=1');
    expect(reset.text).toContain('30 minutes');
    expect(verificationMail('Acme', 'https://id/v?token=t').subject).toBe('Verify your email for Acme');
  });
});

describe('mail configuration', () => {
  it('defaults to development mail from Gatehouse <no-reply@localhost> and the listening address', () => {
    const loaded = loadConfig({});
    expect(loaded.ok && loaded.config).toMatchObject({ smtpUrl: undefined, mailFrom: DEFAULT_MAIL_FROM, publicUrl: undefined });
    expect(DEFAULT_MAIL_FROM).toBe('Gatehouse <no-reply@localhost>');
  });

  it('reads GATEHOUSE_SMTP_URL, GATEHOUSE_MAIL_FROM and GATEHOUSE_PUBLIC_URL', () => {
    const loaded = loadConfig({
      GATEHOUSE_SMTP_URL: 'smtps://user:pw@mail.example.com:465',
      GATEHOUSE_MAIL_FROM: 'Acme <login@acme.example>',
      GATEHOUSE_PUBLIC_URL: 'https://id.acme.example/',
    });
    expect(loaded.ok && loaded.config).toMatchObject({
      smtpUrl: 'smtps://user:pw@mail.example.com:465',
      mailFrom: 'Acme <login@acme.example>',
      publicUrl: 'https://id.acme.example',
    });
  });

  it('names the variable and never repeats an SMTP password in a problem', () => {
    const loaded = loadConfig({ GATEHOUSE_SMTP_URL: 'http://user:s3cret-pw@mail', GATEHOUSE_MAIL_FROM: 'nobody', GATEHOUSE_PUBLIC_URL: 'ftp://x' });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems.some((problem) => problem.startsWith('GATEHOUSE_SMTP_URL must be'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('GATEHOUSE_MAIL_FROM must be'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('GATEHOUSE_PUBLIC_URL must be'))).toBe(true);
    expect(problems.join('\n')).not.toContain('s3cret-pw');
  });
});
