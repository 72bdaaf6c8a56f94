/**
 * The hosted pages a person sees: sign in, create account, forgot and reset password,
 * verify email, sign out, errors. Server-rendered HTML that works without JavaScript; every label is
 * the contract's accessible name (API.md, "Hosted pages"). The stylesheet is inline
 * under a per-response nonce, so the strict CSP needs no external asset.
 */
import { randomBytes } from 'node:crypto';

export interface PageFrame {
  poolName: string;
  /** where forms may post and redirect to: the pool's own pages plus the application's return origin */
  formTargets: string[];
}

export interface RenderedPage {
  html: string;
  headers: Record<string, string>;
}

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `
:root{color-scheme:light;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--brand:#4f46e5;--brand-dark:#4338ca;--bad:#b91c1c;--bad-bg:#fef2f2;--good-bg:#ecfdf5;--good:#047857}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:radial-gradient(1200px 600px at 10% -10%,#e0e7ff 0,transparent 60%),radial-gradient(900px 500px at 110% 110%,#fae8ff 0,transparent 55%),#f8fafc}
main{width:100%;max-width:400px}
.card{background:#fff;border:1px solid var(--line);border-radius:16px;box-shadow:0 1px 2px rgba(16,24,40,.04),0 12px 32px rgba(16,24,40,.08);padding:36px 32px 28px}
.brand{display:flex;align-items:center;gap:12px;margin-bottom:24px}
.logo{width:40px;height:40px;border-radius:10px;display:grid;place-items:center;color:#fff;font-weight:700;font-size:18px;background:linear-gradient(135deg,#6366f1,#a855f7)}
.pool{font-weight:600;font-size:16px}
.app{color:var(--muted);font-size:13px}
h1{font-size:22px;line-height:1.3;margin:0 0 6px}
.lead{color:var(--muted);margin:0 0 22px}
label{display:block;font-weight:500;font-size:14px;margin:14px 0 6px}
input{width:100%;padding:11px 12px;border:1px solid #d1d5db;border-radius:10px;font:inherit;color:inherit;background:#fff}
input:focus{outline:3px solid #c7d2fe;border-color:var(--brand)}
.row{display:flex;justify-content:flex-end;margin-top:8px;font-size:14px}
button{width:100%;margin-top:22px;padding:12px 14px;border:0;border-radius:10px;font:600 15px/1.2 inherit;font-family:inherit;color:#fff;background:var(--brand);cursor:pointer}
button:hover{background:var(--brand-dark)}
button:focus-visible{outline:3px solid #c7d2fe;outline-offset:2px}
button.secondary{background:#fff;color:var(--ink);border:1px solid #d1d5db;margin-top:10px}
a{color:var(--brand);text-decoration:none;font-weight:500}
a:hover{text-decoration:underline}
.alert{border-radius:10px;padding:10px 12px;margin:0 0 6px;font-size:14px;background:var(--bad-bg);color:var(--bad);border:1px solid #fecaca}
.notice{border-radius:10px;padding:10px 12px;margin:0 0 6px;font-size:14px;background:var(--good-bg);color:var(--good);border:1px solid #a7f3d0}
.foot{text-align:center;color:var(--muted);font-size:14px;margin-top:22px}
.powered{text-align:center;color:#9ca3af;font-size:12px;margin-top:16px}
`;

/** A CSP source for a URL: its origin, or its scheme for a native app's private scheme. */
export function cspSource(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

function securityHeaders(nonce: string, formTargets: string[]): Record<string, string> {
  // form-action also governs the redirects that follow a form post (Chromium checks the
  // whole chain), so the application's return address has to be listed.
  const targets = [...new Set(formTargets.map(cspSource).filter((source): source is string => source !== undefined))];
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `style-src 'nonce-${nonce}'`,
      'img-src data:',
      `form-action 'self' ${targets.join(' ')}`.trim(),
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // codes and tokens never leak through a Referer
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

function page(frame: PageFrame, title: string, body: string, subtitle?: string): RenderedPage {
  const nonce = randomBytes(16).toString('base64');
  const initial = escapeHtml((frame.poolName.trim()[0] ?? 'G').toUpperCase());
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(frame.poolName)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
<div class="card">
<div class="brand"><div class="logo" aria-hidden="true">${initial}</div><div><div class="pool">${escapeHtml(frame.poolName)}</div>${
    subtitle ? `<div class="app">${escapeHtml(subtitle)}</div>` : ''
  }</div></div>
${body}
</div>
<p class="powered">Secured by Gatehouse</p>
</main>
</body>
</html>`;
  return { html, headers: securityHeaders(nonce, frame.formTargets) };
}

const alert = (message: string | undefined) => (message ? `<p class="alert" role="alert">${escapeHtml(message)}</p>` : '');
const notice = (message: string | undefined) => (message ? `<p class="notice" role="status">${escapeHtml(message)}</p>` : '');
const csrfField = (token: string) => `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;

export interface SignInView {
  action: string;
  csrf: string;
  account?: string;
  error?: string;
  registerHref?: string;
  forgotHref: string;
  clientName?: string;
}

export function signInPage(frame: PageFrame, view: SignInView): RenderedPage {
  return page(
    frame,
    'Sign in',
    `<h1>Sign in</h1>
<p class="lead">${view.clientName ? `to continue to ${escapeHtml(view.clientName)}` : 'Welcome back'}</p>
${alert(view.error)}
<form method="post" action="${escapeHtml(view.action)}">
${csrfField(view.csrf)}
<label for="account">Email, username or phone</label>
<input id="account" name="account" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="320" required value="${escapeHtml(view.account ?? '')}"${view.account ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required${view.account ? ' autofocus' : ''}>
<div class="row"><a href="${escapeHtml(view.forgotHref)}">Forgot password?</a></div>
<button type="submit">Sign in</button>
</form>
${view.registerHref ? `<p class="foot">New here? <a href="${escapeHtml(view.registerHref)}">Create account</a></p>` : ''}`,
    view.clientName,
  );
}

export interface RegisterView {
  action: string;
  csrf: string;
  email?: string;
  error?: string;
  signInHref: string;
}

export function registerPage(frame: PageFrame, view: RegisterView): RenderedPage {
  return page(
    frame,
    'Create account',
    `<h1>Create account</h1>
<p class="lead">It takes a few seconds.</p>
${alert(view.error)}
<form method="post" action="${escapeHtml(view.action)}">
${csrfField(view.csrf)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required value="${escapeHtml(view.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="256" required>
<button type="submit">Create account</button>
</form>
<p class="foot">Already have an account? <a href="${escapeHtml(view.signInHref)}">Sign in</a></p>`,
  );
}

export const FORGOT_PASSWORD_ANSWER = 'If an account exists for that email, we sent a link to reset the password.';

export interface ForgotPasswordView {
  action: string;
  csrf: string;
  error?: string;
  sent?: boolean;
  signInHref?: string;
}

export function forgotPasswordPage(frame: PageFrame, view: ForgotPasswordView): RenderedPage {
  return page(
    frame,
    'Forgot password',
    `<h1>Forgot password</h1>
<p class="lead">We will email you a link to set a new one.</p>
${alert(view.error)}${notice(view.sent ? FORGOT_PASSWORD_ANSWER : undefined)}
<form method="post" action="${escapeHtml(view.action)}">
${csrfField(view.csrf)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required>
<button type="submit">Send reset link</button>
</form>
${view.signInHref ? `<p class="foot"><a href="${escapeHtml(view.signInHref)}">Back to sign in</a></p>` : ''}`,
  );
}

export interface ResetPasswordView {
  action: string;
  csrf: string;
  token: string;
  error?: string;
  done?: string;
}

export function resetPasswordPage(frame: PageFrame, view: ResetPasswordView): RenderedPage {
  return page(
    frame,
    'Reset password',
    `<h1>Set a new password</h1>
<p class="lead">Choose a password of at least 8 characters.</p>
${alert(view.error)}${notice(view.done)}
<form method="post" action="${escapeHtml(view.action)}">
${csrfField(view.csrf)}
<input type="hidden" name="token" value="${escapeHtml(view.token)}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="256" required>
<button type="submit">Set password</button>
</form>`,
  );
}

export interface VerifyEmailView {
  action: string;
  csrf: string;
  token: string;
  error?: string;
  done?: string;
  /** false once pressing again cannot help: verified, or the link is dead */
  button?: boolean;
}

export function verifyEmailPage(frame: PageFrame, view: VerifyEmailView): RenderedPage {
  const form = view.button === false
    ? ''
    : `<form method="post" action="${escapeHtml(view.action)}">
${csrfField(view.csrf)}
<input type="hidden" name="token" value="${escapeHtml(view.token)}">
<button type="submit">Verify email</button>
</form>`;
  return page(
    frame,
    'Verify email',
    `<h1>Verify your email</h1>
<p class="lead">Confirm that this address is yours.</p>
${alert(view.error)}${notice(view.done)}
${form}`,
  );
}

export function errorPage(frame: PageFrame, title: string, message: string): RenderedPage {
  return page(frame, title, `<h1>${escapeHtml(title)}</h1>\n${alert(message)}\n<p class="lead">Go back to the application and try again.</p>`);
}

/** RP-initiated logout's confirmation; `form` is oidc-provider's hidden form (its own CSRF token inside). */
export function signOutPage(frame: PageFrame, form: string, clientName?: string): RenderedPage {
  return page(
    frame,
    'Sign out',
    `<h1>Sign out</h1>
<p class="lead">${clientName ? `${escapeHtml(clientName)} asks to sign you out.` : 'Do you want to sign out?'}</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
  );
}

export function signedOutPage(frame: PageFrame): RenderedPage {
  return page(frame, 'Signed out', '<h1>You are signed out</h1>\n<p class="lead">You can close this window.</p>');
}
