// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CustomDbPage } from '../../src/console/custom-db/CustomDbPage.js';
import { sideBySide } from '../../src/console/custom-db/script-diff.js';
import type { CustomDatabase } from '../../src/console/api/types.js';
import { TEMPLATES, apiError, customDb, fakeApi } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const script = (body: string) => `async function login(query, password, context) {\n  ${body}\n}\n`;
const OURS = script('return { id: "ours" };');
const THEIRS = script('return { id: "theirs" };');
const FIRST = script('return { id: "first" };');

/** A server whose connection saves only over its current ETag, as the real one does. */
function serve(options: { health?: Record<string, unknown> } = {}) {
  const server = {
    config: customDb({ enabled: true, scripts: { ...customDb().scripts, login: OURS } }),
    revision: 3,
  };
  const etag = () => `"${String(server.revision)}"`;
  const saveAs = (config: CustomDatabase) => {
    server.config = config;
    server.revision += 1;
    return { status: 200, body: config, headers: { etag: etag() } };
  };
  const api = fakeApi(({ method, path, body, headers }) => {
    if (path === '/api/v1/pools/p1/custom-db' && method === 'GET') return { status: 200, body: server.config, headers: { etag: etag() } };
    if (path === '/api/v1/pools/p1/custom-db' && method === 'PUT') {
      if (headers['if-match'] !== undefined && headers['if-match'] !== etag()) return apiError(412, 'PRECONDITION_FAILED', 'changed by someone else');
      const input = body as Partial<CustomDatabase>;
      return saveAs({ ...server.config, ...input, scripts: { ...server.config.scripts, ...input.scripts } });
    }
    if (path.startsWith('/api/v1/pools/p1/custom-db/versions?')) {
      return {
        status: 200,
        body: {
          totalCount: 2,
          list: [
            { version: 2, savedAt: '2026-11-30T01:00:00.000Z', savedBy: { keyId: 'k2', name: 'maria' }, note: 'switch to ours' },
            { version: 1, savedAt: '2026-11-29T01:00:00.000Z', savedBy: { keyId: 'owner', name: 'owner' }, note: null },
          ],
        },
      };
    }
    if (path === '/api/v1/pools/p1/custom-db/versions/1') return { status: 200, body: customDb({ scripts: { ...customDb().scripts, login: FIRST } }) };
    if (path === '/api/v1/pools/p1/custom-db/versions/1/restore' && method === 'POST') {
      if (headers['if-match'] !== etag()) return apiError(412, 'PRECONDITION_FAILED', 'changed by someone else');
      return saveAs(customDb({ scripts: { ...customDb().scripts, login: FIRST } }));
    }
    if (path === '/api/v1/pools/p1/custom-db/health') {
      return { status: 200, body: { circuit: 'closed', inFlight: 0, consecutiveFailures: 0, openedAt: null, ...options.health } };
    }
    if (path === '/api/v1/custom-db/sandbox') return { status: 200, body: { level: 'bwrap', reason: 'ok', scriptsAllowed: true } };
    if (path === '/api/v1/custom-db/templates') return { status: 200, body: TEMPLATES };
    if (path.startsWith('/api/v1/pools/p1/custom-db/logs')) return { status: 200, body: { list: [] } };
    if (path === '/api/v1/pools/p1/custom-db/migration') return { status: 200, body: { migratedUsers: 0, lastMigratedAt: null, importedUsers: 0, legacyTotal: null, remainingUsers: null, activeJob: null, lastJob: null } };
    if (path === '/api/system/public-ips') return { status: 200, body: { ips: [] } };
    return undefined;
  });
  return { api, server };
}

/** Edits the login script the way an administrator can without typing into CodeMirror: from a template. */
async function editLoginFromTemplate() {
  window.confirm = vi.fn(() => true);
  const template = await screen.findByLabelText('Template');
  await waitFor(() => expect(within(template).getByRole('option', { name: 'PostgreSQL' })).toBeTruthy());
  // The editors are loaded lazily; the first test of the file waits for their module to load.
  await screen.findByRole('tab', { name: 'Login' }, { timeout: 10_000 });
  fireEvent.change(template, { target: { value: 'postgres' } });
  await waitFor(() => expect(screen.getByRole('textbox', { name: 'Login script' }).textContent).toContain('id: "pg"'));
}

/** The page loaded and the login script edited; someone else saves theirs; this page's save is refused. */
async function saveIntoConflict() {
  const served = serve();
  render(<CustomDbPage poolId="p1" />);
  await editLoginFromTemplate();
  served.server.config = { ...served.server.config, scripts: { ...served.server.config.scripts, login: THEIRS } };
  served.server.revision = 9;
  fireEvent.click(screen.getByRole('button', { name: 'Save' }));
  return { ...served, dialog: await screen.findByRole('dialog', { name: 'Changed by someone else' }) };
}

describe('custom database page: concurrent edits', () => {
  it('saves with the ETag it read as If-Match, and the next save with the ETag the save answered', async () => {
    const { api } = serve();
    render(<CustomDbPage poolId="p1" />);
    await editLoginFromTemplate();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/^Saved at/);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.sent.filter((r) => r.method === 'PUT')).toHaveLength(2));
    expect(api.sent.filter((r) => r.method === 'PUT').map((r) => r.headers['if-match'])).toEqual(['"3"', '"4"']);
  });

  it('on a stale save shows "changed by someone else" with their scripts beside mine, and overwrites only when asked', async () => {
    const { api, server, dialog } = await saveIntoConflict();
    const diff = within(dialog).getByRole('table', { name: 'Login script: Theirs (saved) and Yours (not saved)' });
    expect(diff.textContent).toContain('id: "theirs"');
    expect(diff.textContent).toContain('id: "pg"');
    expect(server.config.scripts.login).toBe(THEIRS);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Overwrite with mine' }));
    await screen.findByText(/^Saved at/);
    const puts = api.sent.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.headers['if-match'])).toEqual(['"3"', '"9"']);
    expect(server.config.scripts.login).toContain('id: "pg"');
  });

  it('loads their version instead when asked, dropping mine', async () => {
    const { server, dialog } = await saveIntoConflict();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Load theirs' }));
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Login script' }).textContent).toContain('id: "theirs"'));
    expect(screen.queryByText('Unsaved changes')).toBeNull();
    expect(server.config.scripts.login).toBe(THEIRS);
  });
});

describe('custom database page: version history and health', () => {
  it('lists versions, shows one beside the current scripts, and restores it only after a confirmation', async () => {
    const { api } = serve();
    render(<CustomDbPage poolId="p1" />);
    const history = (await screen.findByRole('heading', { name: 'Version history' })).closest('section') as HTMLElement;
    await within(history).findByText('switch to ours');
    expect(within(history).getByText('maria')).toBeTruthy();

    fireEvent.click(within(history).getByRole('button', { name: 'View version 1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Version 1' });
    const diff = await within(dialog).findByRole('table', { name: 'Login script: Version 1 and Current' });
    expect(diff.textContent).toContain('id: "first"');
    expect(diff.textContent).toContain('id: "ours"');

    const confirm = vi.fn(() => false);
    window.confirm = confirm;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore version 1' }));
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(api.sent.some((r) => r.method === 'POST')).toBe(false);

    confirm.mockReturnValue(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore version 1' }));
    await screen.findByText('Restored. New requests use it now.');
    const restore = api.sent.find((r) => r.method === 'POST');
    expect(restore?.path).toBe('/api/v1/pools/p1/custom-db/versions/1/restore');
    expect(restore?.headers['if-match']).toBe('"3"');
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Login script' }).textContent).toContain('id: "first"'));
  });

  it('edits the circuit breaker and concurrency limits and saves them', async () => {
    const { api } = serve();
    render(<CustomDbPage poolId="p1" />);
    const cap = (await screen.findByLabelText('Max concurrent calls')) as HTMLInputElement;
    expect(cap.value).toBe('50');
    await screen.findByRole('tab', { name: 'Login' }, { timeout: 10_000 });
    fireEvent.change(cap, { target: { value: '8' } });
    fireEvent.change(screen.getByLabelText('Failures that open the circuit'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/^Saved at/);
    expect(api.sent.find((r) => r.method === 'PUT')?.body).toMatchObject({ maxConcurrency: 8, breakerThreshold: 3, breakerCooldownMs: 30_000 });
  });

  it("shows the connection's circuit and calls in flight", async () => {
    serve({ health: { circuit: 'open', inFlight: 2, consecutiveFailures: 5, openedAt: '2026-11-30T01:00:00.000Z' } });
    render(<CustomDbPage poolId="p1" />);
    expect((await screen.findByTestId('circuit')).textContent).toMatch(/^Open/);
    expect(screen.getByTestId('in-flight').textContent).toBe('2');
  });
});

describe('side-by-side rows', () => {
  it('pairs a replaced line with its replacement and keeps the unchanged ones on both sides', () => {
    expect(sideBySide('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual([
      { left: 'a', right: 'a', kind: 'same' },
      { left: 'b', right: 'B', kind: 'changed' },
      { left: 'c', right: 'c', kind: 'same' },
      { left: null, right: 'd', kind: 'added' },
    ]);
    expect(sideBySide('x\ny\n', 'x\n')).toEqual([
      { left: 'x', right: 'x', kind: 'same' },
      { left: 'y', right: null, kind: 'removed' },
    ]);
  });
});
