// @vitest-environment happy-dom
/**
 * The custom database page with Auth0's scripts: the dialect switch and Auth0's script tabs,
 * the "Import from Auth0" action (paste or upload), and debugging with Auth0's arguments.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CustomDbPage } from '../../src/console/custom-db/CustomDbPage.js';
import { DebugDialog } from '../../src/console/custom-db/DebugDialog.js';
import type { CustomDatabase, DebugResult, ScriptKey } from '../../src/console/api/types.js';
import { MASK, TEMPLATES, apiError, customDb, fakeApi } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const AUTH0_LOGIN = 'function login(email, password, callback) { callback(null, { user_id: email }); }';
const AUTH0_GET_USER = 'function getByEmail(email, callback) { callback(null); }';

const auth0Db = (overrides: Partial<CustomDatabase> = {}): CustomDatabase =>
  customDb({
    enabled: true,
    mode: 'CUSTOM_USER_STORE',
    dialect: 'auth0',
    env: { API_KEY: MASK },
    scripts: { ...customDb().scripts, login: AUTH0_LOGIN, get_user: AUTH0_GET_USER },
    ...overrides,
  });

function serve(config: CustomDatabase, importAnswer?: { status: number; body: unknown }) {
  return fakeApi(({ method, path, body }) => {
    if (path === '/api/v1/custom-db/sandbox') return { status: 200, body: { level: 'bwrap', reason: 'bubblewrap', scriptsAllowed: true } };
    if (path === '/api/v1/pools/p1/custom-db' && method === 'GET') return { status: 200, body: config };
    if (path === '/api/v1/pools/p1/custom-db' && method === 'PUT') return { status: 200, body: { ...config, ...(body as object) } };
    if (path === '/api/v1/pools/p1/custom-db/import-auth0') return importAnswer;
    if (path === '/api/v1/custom-db/templates') return { status: 200, body: TEMPLATES };
    if (path.startsWith('/api/v1/pools/p1/custom-db/logs')) return { status: 200, body: { list: [] } };
    if (path === '/api/v1/pools/p1/custom-db/migration') return { status: 200, body: { migratedUsers: 0, lastMigratedAt: null, importedUsers: 0, legacyTotal: null, remainingUsers: null, activeJob: null, lastJob: null } };
    if (path === '/api/system/public-ips') return { status: 200, body: { ips: [] } };
    return undefined;
  });
}

const tabNames = () => screen.getAllByRole('tab').map((tab) => tab.textContent);

describe('the custom database page with Auth0 scripts', () => {
  it("shows Auth0's script names as tabs, with Auth0's signatures, and no Gatehouse templates", async () => {
    serve(auth0Db());
    render(<CustomDbPage poolId="p1" />);
    // The editors load lazily (their own chunk): the first render may take a while on a busy machine.
    await screen.findByRole('tab', { name: 'Get User (get_user)' }, { timeout: 10_000 });
    expect(tabNames()).toEqual([
      'Login',
      'Get User (get_user)',
      'Create',
      'Verify',
      'Change Password',
      'Delete',
      'Change Email',
      'Get user',
      'List users',
      'Search user',
    ]);
    expect(screen.getByText('function login(email, password, callback)')).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'Get User (get_user)' }));
    expect(screen.getByText('function getByEmail(email, callback)')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Get User (get_user) script' }).textContent).toContain('getByEmail');
    expect(screen.queryByLabelText('Template')).toBeNull();
    expect((screen.getByRole('radio', { name: 'Auth0 scripts' }) as HTMLInputElement).checked).toBe(true);
  });

  it("switches the tabs to Auth0's names with the dialect, and saves only that dialect's scripts", async () => {
    const api = serve(customDb());
    render(<CustomDbPage poolId="p1" />);
    await screen.findByRole('tab', { name: 'Login' }, { timeout: 10_000 });
    expect(tabNames()).toEqual(['Login', 'Get user', 'Export users']);
    fireEvent.click(screen.getByRole('radio', { name: 'Auth0 scripts' }));
    await waitFor(() => expect(tabNames()).toEqual(['Login', 'Get User (get_user)']));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/^Saved at/);
    const put = api.sent.find((request) => request.method === 'PUT');
    expect(put?.body).toMatchObject({ dialect: 'auth0' });
    expect(Object.keys((put?.body as { scripts: object }).scripts).sort()).toEqual(
      ['change_email', 'change_password', 'create', 'delete', 'getUser', 'get_user', 'listUsers', 'login', 'searchUser', 'verify'],
    );
  });

  it('imports an Auth0 connection pasted as JSON, then shows it; says what is wrong otherwise', async () => {
    const saved = auth0Db({ mode: 'LAZY_MIGRATION' });
    const api = serve(customDb(), { status: 200, body: saved });
    render(<CustomDbPage poolId="p1" />);
    await screen.findByRole('tab', { name: 'Login' }, { timeout: 10_000 });
    fireEvent.click(screen.getByRole('button', { name: 'Import from Auth0' }));
    const json = await screen.findByLabelText('Auth0 connection JSON');

    fireEvent.change(json, { target: { value: '{"name": ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText(/^This is not JSON/)).toBeTruthy();

    const connection = { name: 'legacy', strategy: 'auth0', options: { import_mode: true, customScripts: { login: AUTH0_LOGIN } } };
    fireEvent.change(json, { target: { value: JSON.stringify(connection) } });
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await screen.findByText(/^Imported from Auth0 at/);
    expect(api.sent.find((request) => request.path === '/api/v1/pools/p1/custom-db/import-auth0')?.body).toEqual(connection);
    expect(screen.queryByLabelText('Auth0 connection JSON')).toBeNull();
    expect(tabNames()).toEqual(['Login', 'Get User (get_user)']);
  });

  it("reads an uploaded file into the dialog, and shows the server's 400 message", async () => {
    serve(customDb(), { status: 400, body: apiError(400, 'VALIDATION_ERROR', 'body.strategy must be "auth0"').body });
    render(<CustomDbPage poolId="p1" />);
    await screen.findByRole('tab', { name: 'Login' }, { timeout: 10_000 });
    fireEvent.click(screen.getByRole('button', { name: 'Import from Auth0' }));
    const file = new File([JSON.stringify({ name: 'x', strategy: 'google-oauth2', options: {} })], 'connection.json', { type: 'application/json' });
    fireEvent.change(await screen.findByLabelText('Upload JSON file'), { target: { files: [file] } });
    await waitFor(() => expect((screen.getByLabelText('Auth0 connection JSON') as HTMLTextAreaElement).value).toContain('google-oauth2'));
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText(/body\.strategy must be "auth0"/)).toBeTruthy();
  });
});

describe("the debug dialog with Auth0's scripts", () => {
  it("asks for Auth0's arguments and sends them in Auth0's order", async () => {
    const runDebug = vi.fn<(poolId: string, script: ScriptKey, args: unknown[]) => Promise<DebugResult>>();
    runDebug.mockResolvedValue({ ok: true, result: true, logs: [], durationMs: 3 });
    render(
      <DebugDialog poolId="p1" dialect="auth0" scripts={['login', 'change_password', 'change_email']} initialScript="change_password" unsaved={false} onClose={() => undefined} runDebug={runDebug} />,
    );
    const labels = () => Array.from(document.querySelectorAll('.debug-form .grid-2 label')).map((label) => label.textContent);
    expect(labels()).toEqual(['Email', 'New password']);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ann@example.org' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'new-pass-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test' }));
    await screen.findByText('Success');
    expect(runDebug).toHaveBeenCalledWith('p1', 'change_password', ['ann@example.org', 'new-pass-1']);

    fireEvent.change(screen.getByLabelText('Script'), { target: { value: 'login' } });
    expect(labels()).toEqual(['Email', 'Password']);
    fireEvent.change(screen.getByLabelText('Script'), { target: { value: 'change_email' } });
    expect(labels()).toEqual(['Email', 'New email', 'Verified (true or false)']);
    fireEvent.change(screen.getByLabelText('New email'), { target: { value: 'ann@new.example.org' } });
    fireEvent.change(screen.getByLabelText('Verified (true or false)'), { target: { value: 'yes' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test' }));
    expect(await screen.findByText('Verified (true or false) must be true or false')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Verified (true or false)'), { target: { value: 'true' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test' }));
    await waitFor(() => expect(runDebug).toHaveBeenLastCalledWith('p1', 'change_email', ['ann@example.org', 'ann@new.example.org', true]));
  });
});
