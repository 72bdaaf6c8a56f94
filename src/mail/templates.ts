/** The messages Gatehouse sends: a text part and an HTML part, the pool's name in the subject. */

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** A pool name is an administrator's free text: one line in a subject, inert in HTML. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').trim();
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function html(poolName: string, lines: string[], link: string, button: string): string {
  const paragraphs = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  return `<!doctype html>
<html><body style="font-family: sans-serif">
<h1>${escapeHtml(oneLine(poolName))}</h1>
${paragraphs}
<p><a href="${escapeHtml(link)}">${escapeHtml(button)}</a></p>
<p>${escapeHtml(link)}</p>
</body></html>`;
}

export function passwordResetMail(poolName: string, link: string, validMinutes: number): MailContent {
  const name = oneLine(poolName);
  const lines = [
    `Someone asked to reset the password of your ${name} account.`,
    `The link below sets a new password. It works once, for ${validMinutes} minutes.`,
    'If you did not ask for this, ignore this email: your password stays as it is.',
  ];
  return {
    subject: `Reset your ${name} password`,
    text: `${lines.slice(0, 2).join('\n')}\n\n${link}\n\n${lines[2] ?? ''}\n`,
    html: html(name, lines, link, 'Set a new password'),
  };
}

export function verificationMail(poolName: string, link: string): MailContent {
  const name = oneLine(poolName);
  const lines = [
    `Please confirm that this is your email address for your ${name} account.`,
    'If you did not create an account, ignore this email.',
  ];
  return {
    subject: `Verify your email for ${name}`,
    text: `${lines[0] ?? ''}\n\n${link}\n\n${lines[1] ?? ''}\n`,
    html: html(name, lines, link, 'Verify my email'),
  };
}
