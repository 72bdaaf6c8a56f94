// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsersPage } from '../../src/console/users/UsersPage.js';
import { apiError, customDb, fakeApi, user } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const config = customDb({ enabled: true });
const page = (list: unknown[], totalCount = list.length) => ({ status: 200, body: { totalCount, list } });

describe('users page', () => {
  it('shows loading, then the users with where they came from', async () => {
    fakeApi(({ path }) => {
      if (path === '/api/v1/pools/p1/custom-db') return { status: 200, body: config };
      if (path.startsWith('/api/v1/pools/p1/users?')) return page([user(), user({ id: 'u2', email: 'bob@example.com', username: 'bob', source: 'local' })], 25);
      return undefined;
    });
    render(<UsersPage poolId="p1" />);
    expect(screen.getByText('Loading users…')).toBeTruthy();
    const alice = (await screen.findByText('alice@example.com')).closest('tr');
    expect(alice && within(alice).getByText('migrated')).toBeTruthy();
    const bob = screen.getByText('bob@example.com').closest('tr');
    expect(bob && within(bob).getByText('local')).toBeTruthy();
    expect(screen.getByText(/Page 1 of 3 · 25 users/)).toBeTruthy();
    expect(await screen.findByText(/Lazy migration is on/)).toBeTruthy();
  });

  it('searches with the keyword and says when nothing matches', async () => {
    const api = fakeApi(({ path }) => {
      if (path === '/api/v1/pools/p1/custom-db') return { status: 200, body: config };
      if (path.startsWith('/api/v1/pools/p1/users/search?')) return page([]);
      if (path.startsWith('/api/v1/pools/p1/users?')) return page([user()]);
      return undefined;
    });
    render(<UsersPage poolId="p1" />);
    await screen.findByText('alice@example.com');
    fireEvent.change(screen.getByLabelText('Search users'), { target: { value: 'zed' } });
    expect(await screen.findByText('No user matches this search.')).toBeTruthy();
    expect(api.sent.some((request) => request.path === '/api/v1/pools/p1/users/search?keyword=zed&page=1&limit=10')).toBe(true);
  });

  it('shows the empty state and the API error message', async () => {
    fakeApi(({ path }) => (path.startsWith('/api/v1/pools/p1/users?') ? page([]) : undefined));
    render(<UsersPage poolId="p1" />);
    expect(await screen.findByText(/No users yet/)).toBeTruthy();
    cleanup();

    fakeApi(({ path }) =>
      path.startsWith('/api/v1/pools/p1/users?') ? { status: 502, body: { error: { code: 'CUSTOM_DB_ERROR', message: 'The custom database script failed', requestId: 'r' } } } : undefined,
    );
    render(<UsersPage poolId="p1" />);
    await waitFor(() => expect(screen.getAllByRole('alert').some((alert) => alert.textContent?.includes('The custom database script failed'))).toBe(true));
  });

  it('creates a user, shows a 409 in the form, and deletes only after confirming', async () => {
    let created = false;
    const api = fakeApi(({ method, path, body }) => {
      if (path.startsWith('/api/v1/pools/p1/users?')) return page([user()]);
      if (method === 'POST' && path === '/api/v1/pools/p1/users') {
        if ((body as { email?: string }).email === 'alice@example.com') return apiError(409, 'USER_EXISTS', 'A user with this email already exists');
        created = true;
        return { status: 201, body: user({ id: 'u3', email: 'carol@example.com', source: 'local' }) };
      }
      if (method === 'DELETE' && path === '/api/v1/pools/p1/users/u1') return { status: 204 };
      return undefined;
    });
    const confirm = vi.fn(() => false);
    render(<UsersPage poolId="p1" confirm={confirm} />);
    await screen.findByText('alice@example.com');

    fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
    const dialog = screen.getByRole('dialog', { name: 'Create user' });
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'alice@example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('A user with this email already exists');
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'carol@example.com' } });
    fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: 'carol-password-1' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('Created carol@example.com.')).toBeTruthy();
    expect(created).toBe(true);
    expect(api.sent.find((request) => request.method === 'POST' && (request.body as { email: string }).email === 'carol@example.com')?.body).toEqual({
      email: 'carol@example.com',
      password: 'carol-password-1',
    });

    fireEvent.click(screen.getByRole('button', { name: 'Delete alice@example.com' }));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('They will not be migrated again'));
    expect(api.sent.some((request) => request.method === 'DELETE')).toBe(false);
    confirm.mockReturnValue(true);
    fireEvent.click(screen.getByRole('button', { name: 'Delete alice@example.com' }));
    expect(await screen.findByText('Deleted alice@example.com.')).toBeTruthy();
  });
});
