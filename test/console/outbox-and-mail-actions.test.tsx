// @vitest-environment happy-dom
/**
 * The console's mail: the pool's outbox page (newest first as the API answers, the
 * message text readable, an empty state that explains GATEHOUSE_SMTP_URL) and the two
 * mail actions on a user, with what they send and what they say.
 */
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutboxPage } from '../../src/console/email/OutboxPage.js';
import { UsersPage } from '../../src/console/users/UsersPage.js';
import { parseRoute, paths } from '../../src/console/router.js';
import type { OutboxMessage } from '../../src/console/api/types.js';
import { apiError, customDb, fakeApi, user } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const RESET_TEXT = 'Someone asked to reset the password of your Acme account.\n\nhttp://localhost:8080/oidc/p1/reset-password?token=abc\n';
const MESSAGES: OutboxMessage[] = [
  { at: '2026-11-30T10:00:00.000Z', to: 'bob@example.com', subject: 'Reset your Acme password', text: RESET_TEXT },
  { at: '2026-11-30T09:00:00.000Z', to: 'alice@example.com', subject: 'Verify your email for Acme', text: 'Please confirm.\n\nhttp://localhost:8080/oidc/p1/verify-email?token=xyz\n' },
];

describe('outbox page', () => {
  it('lists the messages newest first with time, recipient, subject and the whole text', async () => {
    const api = fakeApi(({ path }) => (path === '/api/v1/pools/p1/outbox' ? { status: 200, body: { list: MESSAGES } } : undefined));
    render(<OutboxPage poolId="p1" />);
    const articles = await screen.findAllByRole('article');
    expect(articles.map((article) => article.getAttribute('aria-label'))).toEqual(['Reset your Acme password', 'Verify your email for Acme']);
    const first = articles[0];
    if (!first) throw new Error('no message');
    expect(within(first).getByText('bob@example.com')).toBeTruthy();
    expect(within(first).getByRole('heading', { name: 'Reset your Acme password' })).toBeTruthy();
    expect(first.querySelector('time')?.getAttribute('datetime')).toBe('2026-11-30T10:00:00.000Z');
    // the text as written, line breaks and link included, in a preformatted block
    expect(first.querySelector('pre')?.textContent).toBe(RESET_TEXT);

    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(api.sent.filter((request) => request.path === '/api/v1/pools/p1/outbox')).toHaveLength(2));
  });

  it('explains the empty outbox and shows the API error', async () => {
    fakeApi(({ path }) => (path === '/api/v1/pools/p1/outbox' ? { status: 200, body: { list: [] } } : undefined));
    render(<OutboxPage poolId="p1" />);
    const empty = await screen.findByText(/No mail yet/);
    expect(empty.textContent).toContain('Without GATEHOUSE_SMTP_URL');
    expect(empty.textContent).toContain('kept here');
    cleanup();

    fakeApi(() => apiError(404, 'NOT_FOUND', 'No user pool with id p1'));
    render(<OutboxPage poolId="p1" />);
    expect((await screen.findByRole('alert')).textContent).toContain('No user pool with id p1');
  });

  it('has its own address under the pool', () => {
    expect(paths.outbox('p 1')).toBe('/console/pools/p%201/outbox');
    expect(parseRoute('/console/pools/p%201/outbox')).toEqual({ page: 'outbox', poolId: 'p 1' });
  });
});

describe('mail actions on a user', () => {
  const config = customDb({ enabled: true });
  const users = { status: 200, body: { totalCount: 2, list: [user(), user({ id: 'u2', email: null, username: 'nomail', source: 'local' })] } };

  it('sends a verification email through the admin endpoint and says so', async () => {
    const api = fakeApi(({ method, path }) => {
      if (path === '/api/v1/pools/p1/custom-db') return { status: 200, body: config };
      if (path.startsWith('/api/v1/pools/p1/users?')) return users;
      if (method === 'POST' && path === '/api/v1/pools/p1/users/u1/send-verification-email') return { status: 202 };
      return undefined;
    });
    render(<UsersPage poolId="p1" />);
    await screen.findByText('alice@example.com');
    // a user without an address has nothing to verify and nowhere to get a link
    expect(screen.queryByRole('button', { name: 'Send verification email to nomail' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Send password reset to nomail' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Send verification email to alice@example.com' }));
    expect((await screen.findByRole('status')).textContent).toContain('Sent a verification email to alice@example.com.');
    expect(api.sent.filter((request) => request.method === 'POST').map((request) => request.path)).toEqual([
      '/api/v1/pools/p1/users/u1/send-verification-email',
    ]);
  });

  it("asks for a reset with the user's email on forgot-password and says a link went out if the account can receive mail", async () => {
    const api = fakeApi(({ method, path }) => {
      if (path === '/api/v1/pools/p1/custom-db') return { status: 200, body: config };
      if (path.startsWith('/api/v1/pools/p1/users?')) return users;
      if (method === 'POST' && path === '/api/v1/pools/p1/auth/forgot-password') return { status: 202 };
      return undefined;
    });
    render(<UsersPage poolId="p1" />);
    await screen.findByText('alice@example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Send password reset to alice@example.com' }));
    const status = await screen.findByRole('status');
    expect(status.textContent).toContain('A password reset link was sent to alice@example.com if the account can receive mail.');
    expect(status.textContent).toContain('Outbox');
    const posted = api.sent.filter((request) => request.method === 'POST');
    expect(posted.map(({ method, path, body }) => ({ method, path, body }))).toEqual([{ method: 'POST', path: '/api/v1/pools/p1/auth/forgot-password', body: { email: 'alice@example.com' } }]);
  });

  it("shows the API's error when sending fails", async () => {
    fakeApi(({ method, path }) => {
      if (path === '/api/v1/pools/p1/custom-db') return { status: 200, body: config };
      if (path.startsWith('/api/v1/pools/p1/users?')) return users;
      if (method === 'POST') return apiError(503, 'CUSTOM_DB_UNAVAILABLE', 'The custom database is unavailable');
      return undefined;
    });
    render(<UsersPage poolId="p1" />);
    await screen.findByText('alice@example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Send verification email to alice@example.com' }));
    await waitFor(() =>
      expect(screen.getAllByRole('alert').some((alert) => alert.textContent?.includes('Could not send a verification email to alice@example.com: The custom database is unavailable'))).toBe(true),
    );
    expect(screen.queryByRole('status')).toBeNull();
  });
});

describe('pool navigation', () => {
  it('links to the outbox and marks it current on its page', async () => {
    const { PoolLayout } = await import('../../src/console/pages/PoolLayout.js');
    fakeApi(({ path }) => (path === '/api/v1/pools/p1' ? { status: 200, body: { id: 'p1', name: 'Acme' } } : undefined));
    render(
      <PoolLayout poolId="p1" current="outbox">
        <p>inside</p>
      </PoolLayout>,
    );
    const link = within(screen.getByRole('navigation', { name: 'Pool' })).getByRole('link', { name: 'Outbox' });
    expect(link.getAttribute('href')).toBe('/console/pools/p1/outbox');
    expect(link.getAttribute('aria-current')).toBe('page');
  });
});
