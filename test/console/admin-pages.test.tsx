// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdminKeysPage } from '../../src/console/admin/AdminKeysPage.js';
import { AuditPage } from '../../src/console/admin/AuditPage.js';
import { parseRoute, paths } from '../../src/console/router.js';
import type { AdminKey, AuditEntry } from '../../src/console/api/types.js';
import { apiError, fakeApi, MASK } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const POOLS = '/api/v1/pools?page=1&limit=100';
const KEYS = '/api/v1/admin-keys';
const TOKEN = 'gh_key_shown_once_0123456789abcdef';
const pools = { status: 200, body: { totalCount: 2, list: [pool('p1', 'Shop'), pool('p2', 'Blog')] } };

function pool(id: string, name: string) {
  return { id, name, metadata: {}, createdAt: '2024-01-02T03:04:05.000Z', updatedAt: '2024-01-02T03:04:05.000Z' };
}

function key(overrides: Partial<AdminKey> = {}): AdminKey {
  return { id: 'k1', name: 'deploy bot', poolId: null, createdAt: '2024-01-02T03:04:05.000Z', revokedAt: null, ...overrides };
}

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: '2024-01-02T03:04:05.000Z',
    actor: { keyId: 'k1', name: 'deploy bot' },
    action: 'custom-db.save',
    poolId: 'p1',
    target: { type: 'custom-db', id: 'p1' },
    changes: { 'env.API_KEY': { from: MASK, to: MASK }, timeoutMs: { from: 5000, to: 4000 }, 'env.OLD': { from: MASK } },
    ...overrides,
  };
}

describe('console routes for admin keys and the audit log', () => {
  it('parses and builds their paths', () => {
    expect(parseRoute(paths.adminKeys())).toEqual({ page: 'adminKeys' });
    expect(parseRoute(paths.audit())).toEqual({ page: 'audit' });
    expect(parseRoute('/console/audit/extra')).toMatchObject({ page: 'notFound' });
  });
});

describe('admin keys page', () => {
  it('lists keys with their pool and status, and revokes only after confirming', async () => {
    let revoked = false;
    const api = fakeApi(({ method, path }) => {
      if (path === POOLS) return pools;
      if (method === 'GET' && path === KEYS) {
        return { status: 200, body: { list: [key(), key({ id: 'k2', name: 'shop team', poolId: 'p1', revokedAt: revoked ? '2024-02-01T00:00:00.000Z' : null })] } };
      }
      if (method === 'DELETE' && path === `${KEYS}/k2`) {
        revoked = true;
        return { status: 204 };
      }
      return undefined;
    });
    const confirm = vi.fn(() => false);
    render(<AdminKeysPage confirm={confirm} />);
    const team = (await screen.findByText('shop team')).closest('tr');
    await waitFor(() => expect(team && within(team).getByText('Shop')).toBeTruthy());
    const bot = screen.getByText('deploy bot').closest('tr');
    expect(bot && within(bot).getByText('All pools')).toBeTruthy();
    expect(bot && within(bot).getByText('Active')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Revoke shop team' }));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('refused at once'));
    expect(api.sent.some((request) => request.method === 'DELETE')).toBe(false);

    confirm.mockReturnValue(true);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke shop team' }));
    expect(await screen.findByText('Revoked shop team.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Revoke shop team' })).toBeNull());
    expect(api.sent.filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual([`${KEYS}/k2`]);
  });

  it('creates a key limited to a pool and shows its token once', async () => {
    let created = false;
    const api = fakeApi(({ method, path, body }) => {
      if (path === POOLS) return pools;
      if (method === 'GET' && path === KEYS) return { status: 200, body: { list: created ? [key({ name: 'blog team', poolId: 'p2' })] : [] } };
      if (method === 'POST' && path === KEYS) {
        created = true;
        const { name, poolId } = body as { name: string; poolId?: string };
        return { status: 201, body: { id: 'k9', name, poolId: poolId ?? null, token: TOKEN, createdAt: '2024-01-02T03:04:05.000Z' } };
      }
      return undefined;
    });
    render(<AdminKeysPage />);
    expect(await screen.findByText(/No admin keys yet/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Give the key a name');
    expect(api.sent.some((request) => request.method === 'POST')).toBe(false);

    fireEvent.change(screen.getByLabelText('Key name'), { target: { value: ' blog team ' } });
    await screen.findByRole('option', { name: 'Blog' });
    fireEvent.change(screen.getByLabelText('Pool'), { target: { value: 'p2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Admin key created' });
    expect((within(dialog).getByLabelText('Token') as HTMLInputElement).value).toBe(TOKEN);
    expect(within(dialog).getByText(/you will not see it again/)).toBeTruthy();
    expect(within(dialog).getByText(/Blog/)).toBeTruthy();
    expect(api.sent.find((request) => request.method === 'POST')?.body).toEqual({ name: 'blog team', poolId: 'p2' });
    expect(await screen.findByRole('cell', { name: 'blog team' })).toBeTruthy();

    fireEvent.click(within(dialog).getByRole('button', { name: 'I have saved the token' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.innerHTML).not.toContain(TOKEN);
  });

  it('shows the API error, such as a pool-scoped key being refused', async () => {
    fakeApi(({ path }) => (path === POOLS ? pools : path === KEYS ? apiError(403, 'FORBIDDEN', 'This admin key is limited to one pool and may not use this endpoint') : undefined));
    render(<AdminKeysPage />);
    expect((await screen.findByRole('alert')).textContent).toContain('limited to one pool');
  });
});

describe('audit log page', () => {
  it('shows who changed what, with masked secrets, and filters by pool and pages', async () => {
    const list = Array.from({ length: 25 }, (_, index) => entry({ at: `2024-01-02T03:04:${String(index).padStart(2, '0')}.000Z` }));
    list[0] = entry({ action: 'user.block', target: { type: 'user', id: 'u7' }, changes: { blocked: { to: true } } });
    const api = fakeApi(({ path }) => {
      if (path === POOLS) return pools;
      if (path.startsWith('/api/v1/audit?')) {
        const query = new URLSearchParams(path.split('?')[1]);
        if (query.get('page') === '2') return { status: 200, body: { totalCount: 26, list: [entry({ action: 'pool.create', poolId: 'p2', changes: {} })] } };
        return { status: 200, body: { totalCount: 26, list } };
      }
      return undefined;
    });
    render(<AuditPage />);
    const block = (await screen.findByText('user.block')).closest('tr');
    expect(block && within(block).getByText('deploy bot')).toBeTruthy();
    expect(block && within(block).getByText('u7')).toBeTruthy();
    expect(block?.textContent).toContain('blocked: (none) → true');
    const save = screen.getAllByText('custom-db.save')[0]?.closest('tr');
    await waitFor(() => expect(save && within(save).getByText('Shop')).toBeTruthy());
    expect(save?.textContent).toContain(`env.API_KEY: ${MASK} → ${MASK}`);
    expect(save?.textContent).toContain('timeoutMs: 5000 → 4000');
    expect(save?.textContent).toContain(`env.OLD: ${MASK} → (removed)`);

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('pool.create')).toBeTruthy();
    expect(screen.getByText(/Page 2 of 2/)).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Pool'), { target: { value: 'p2' } });
    await waitFor(() => expect(api.sent.at(-1)?.path).toBe('/api/v1/audit?page=1&limit=25&poolId=p2'));
    expect(api.sent.filter((request) => request.path.startsWith('/api/v1/audit')).map((request) => request.path)).toEqual([
      '/api/v1/audit?page=1&limit=25',
      '/api/v1/audit?page=2&limit=25',
      '/api/v1/audit?page=1&limit=25&poolId=p2',
    ]);
  });

  it('says when nothing is recorded', async () => {
    fakeApi(({ path }) => (path === POOLS ? pools : path.startsWith('/api/v1/audit') ? { status: 200, body: { totalCount: 0, list: [] } } : undefined));
    render(<AuditPage />);
    expect(await screen.findByText(/No admin changes recorded/)).toBeTruthy();
  });
});
