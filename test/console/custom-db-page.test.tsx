// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CustomDbPage } from '../../src/console/custom-db/CustomDbPage.js';
import { MASK, TEMPLATES, customDb, fakeApi } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function serve(config = customDb(), sandbox: Record<string, unknown> = { level: 'bwrap', reason: 'bubblewrap is installed', scriptsAllowed: true }) {
  return fakeApi(({ method, path, body }) => {
    if (path === '/api/v1/custom-db/sandbox') return { status: 200, body: sandbox };
    if (path === '/api/v1/pools/p1/custom-db' && method === 'GET') return { status: 200, body: config };
    if (path === '/api/v1/pools/p1/custom-db' && method === 'PUT') return { status: 200, body: { ...config, ...(body as object) } };
    if (path === '/api/v1/custom-db/templates') return { status: 200, body: TEMPLATES };
    if (path.startsWith('/api/v1/pools/p1/custom-db/logs')) return { status: 200, body: { list: [] } };
    if (path === '/api/v1/pools/p1/custom-db/migration') return { status: 200, body: { migratedUsers: 0, lastMigratedAt: null, importedUsers: 0, legacyTotal: null, remainingUsers: null, activeJob: null, lastJob: null } };
    if (path === '/api/system/public-ips') return { status: 200, body: { ips: [] } };
    if (path.startsWith('/api/v1/pools/p1/custom-db/versions')) return { status: 200, body: { totalCount: 0, list: [] } };
    if (path === '/api/v1/pools/p1/custom-db/health') return { status: 200, body: { circuit: 'closed', inFlight: 0, consecutiveFailures: 0, openedAt: null } };
    return undefined;
  });
}

describe('custom database page', () => {
  it("shows the server's warnings about the saved connection", async () => {
    const warning = "This connection's database server is also Gatehouse's own store, so scripts can reach it.";
    serve({ ...customDb(), warnings: [warning] });
    render(<CustomDbPage poolId="p1" />);
    expect((await screen.findByRole('alert')).textContent).toBe(warning);
  });

  it('warns when the server runs scripts without an OS sandbox, and says nothing when it has one', async () => {
    const warning = 'Scripts run without an OS sandbox: no bubblewrap and no user namespaces. Install bubblewrap…';
    serve(customDb(), { level: 'none', reason: 'no bubblewrap', scriptsAllowed: true, warning });
    const { unmount } = render(<CustomDbPage poolId="p1" />);
    expect((await screen.findByRole('alert')).textContent).toBe(warning);
    unmount();

    serve();
    render(<CustomDbPage poolId="p1" />);
    await screen.findByLabelText('Template');
    expect(screen.queryByText(/without an OS sandbox/)).toBeNull();
  });

  it('fills the editors from a template only after a confirmation, then saves them', async () => {
    const api = serve();
    const confirm = vi.fn<(message?: string) => boolean>();
    window.confirm = confirm;
    render(<CustomDbPage poolId="p1" />);
    const template = await screen.findByLabelText('Template');
    await waitFor(() => expect(within(template).getByRole('option', { name: 'PostgreSQL' })).toBeTruthy());
    expect(within(template).getAllByRole('option').map((option) => option.textContent)).toEqual([
      'Choose a template…',
      'PostgreSQL',
      'MySQL',
      'MongoDB',
      'Web service',
    ]);
    await screen.findByRole('tab', { name: 'Login' });

    confirm.mockReturnValueOnce(false);
    fireEvent.change(template, { target: { value: 'postgres' } });
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(screen.getByText(/Not written yet/)).toBeTruthy();

    confirm.mockReturnValueOnce(true);
    fireEvent.change(template, { target: { value: 'postgres' } });
    await waitFor(() => expect(screen.queryByText(/Not written yet/)).toBeNull());
    expect(screen.getByRole('textbox', { name: 'Login script' }).textContent).toContain('return { id: "pg" };');

    fireEvent.click(screen.getByRole('switch', { name: 'Enable custom database' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/^Saved at/);
    const put = api.sent.find((request) => request.method === 'PUT');
    expect(put?.body).toMatchObject({
      enabled: true,
      mode: 'LAZY_MIGRATION',
      connection: null,
      env: {},
      scripts: { login: TEMPLATES.list[0]?.scripts.login, getUser: TEMPLATES.list[0]?.scripts.getUser, searchUser: null },
    });
  });

  it('shows one tab per script the mode needs', async () => {
    serve();
    render(<CustomDbPage poolId="p1" />);
    await screen.findByRole('tab', { name: 'Login' });
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual(['Login', 'Get user', 'Export users']);
    fireEvent.click(screen.getByRole('radio', { name: 'Custom user store' }));
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual([
      'Login',
      'Get user',
      'Search user',
      'Create user',
      'Update user',
      'Delete user',
      'List users',
      'Validate password',
    ]);
  });

  it("keeps stored secrets masked and sends the mask back; shows the server's 400 message", async () => {
    const api = fakeApi(({ method, path }) => {
      if (path === '/api/v1/pools/p1/custom-db' && method === 'GET') {
        return {
          status: 200,
          body: customDb({
            enabled: true,
            connection: { type: 'programmatic', host: 'db.internal', port: 5432, username: 'app', password: MASK, database: 'legacy' },
            env: { PEPPER: MASK },
            scripts: { ...customDb().scripts, login: 'async function login(q, p) {\n  return {\n}\n' },
          }),
        };
      }
      if (path === '/api/v1/pools/p1/custom-db' && method === 'PUT') {
        return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: 'scripts.login: Unexpected token (line 4, column 1)', requestId: 'r' } } };
      }
      if (path === '/api/v1/custom-db/templates') return { status: 200, body: TEMPLATES };
      return undefined;
    });
    render(<CustomDbPage poolId="p1" />);
    const password = (await screen.findByLabelText('Password')) as HTMLInputElement;
    expect(password.type).toBe('password');
    expect(password.value).toBe(MASK);
    expect((screen.getByLabelText('Variable 1 value') as HTMLInputElement).value).toBe(MASK);
    expect((screen.getByLabelText('Host') as HTMLInputElement).value).toBe('db.internal');
    // The syntax error is marked before saving.
    expect(await screen.findByText(/These scripts do not parse yet/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByText(/Not saved: scripts\.login: Unexpected token \(line 4, column 1\)/);
    expect(alert).toBeTruthy();
    const put = api.sent.find((request) => request.method === 'PUT');
    expect(put?.body).toMatchObject({
      connection: { type: 'programmatic', host: 'db.internal', port: 5432, username: 'app', password: MASK, database: 'legacy' },
      env: { PEPPER: MASK },
    });
  });

  it('shows the allowed hosts, saves them edited, and refuses an entry with a space', async () => {
    const api = serve(customDb({ allowedHosts: ['db.internal', '127.0.0.1'] }));
    render(<CustomDbPage poolId="p1" />);
    const hosts = (await screen.findByLabelText('Allowed hosts')) as HTMLTextAreaElement;
    expect(hosts.value).toBe('db.internal\n127.0.0.1');
    await screen.findByRole('tab', { name: 'Login' });

    fireEvent.change(hosts, { target: { value: 'db.internal bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/Not saved: Allowed host "db.internal bad" contains a space/)).toBeTruthy();
    expect(api.sent.filter((request) => request.method === 'PUT')).toEqual([]);

    fireEvent.change(hosts, { target: { value: 'db.internal,\n127.0.0.1, localhost\n' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/^Saved at/);
    const put = api.sent.find((request) => request.method === 'PUT');
    expect(put?.body).toMatchObject({ allowedHosts: ['db.internal', '127.0.0.1', 'localhost'] });
    // The saved answer comes back one host per line.
    expect(hosts.value).toBe('db.internal\n127.0.0.1\nlocalhost');
  });

  it('says so when the configuration cannot be loaded', async () => {
    fakeApi(({ path }) =>
      path === '/api/v1/pools/p1/custom-db'
        ? { status: 404, body: { error: { code: 'POOL_NOT_FOUND', message: 'No user pool with id p1', requestId: 'r' } } }
        : undefined,
    );
    render(<CustomDbPage poolId="p1" />);
    expect((await screen.findByRole('alert')).textContent).toContain('No user pool with id p1');
  });
});
