// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CustomDbPage } from '../../src/console/custom-db/CustomDbPage.js';
import { estimateRemaining, formatEta } from '../../src/console/components/import-eta.js';
import { TEMPLATES, customDb, fakeApi } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const EXPORT = 'async function exportUsers(cursor, limit, context) {\n  return { list: [], nextCursor: null };\n}\n';
const LAZY = customDb({ enabled: true, mode: 'LAZY_MIGRATION', scripts: { ...customDb().scripts, login: 'x', getUser: 'y', exportUsers: EXPORT } });

function job(overrides: Record<string, unknown> = {}) {
  return {
    id: 'job-1',
    kind: 'import-rest',
    status: 'running',
    total: 100,
    processed: 40,
    created: 30,
    updated: 0,
    skipped: 8,
    failed: 2,
    errors: [],
    startedAt: new Date(Date.now() - 40_000).toISOString(),
    finishedAt: null,
    ...overrides,
  };
}

function migration(overrides: Record<string, unknown> = {}) {
  return {
    migratedUsers: 12,
    lastMigratedAt: null,
    importedUsers: 0,
    legacyTotal: null,
    remainingUsers: null,
    activeJob: null,
    lastJob: null,
    ...overrides,
  };
}

/** The page's API with the migration answers given in turn (the last one repeats). */
function serve(config = LAZY, answers: Record<string, unknown>[] = [migration()]) {
  let next = 0;
  return fakeApi(({ method, path, body }) => {
    if (path === '/api/v1/custom-db/sandbox') return { status: 200, body: { level: 'bwrap', reason: 'ok', scriptsAllowed: true } };
    if (path === '/api/v1/pools/p1/custom-db' && method === 'GET') return { status: 200, body: config };
    if (path === '/api/v1/pools/p1/custom-db' && method === 'PUT') return { status: 200, body: { ...config, ...(body as object) } };
    if (path === '/api/v1/custom-db/templates') return { status: 200, body: TEMPLATES };
    if (path.startsWith('/api/v1/pools/p1/custom-db/logs')) return { status: 200, body: { list: [] } };
    if (path === '/api/v1/pools/p1/custom-db/migration') {
      const answer = answers[Math.min(next, answers.length - 1)];
      next += 1;
      return { status: 200, body: answer };
    }
    if (path === '/api/v1/pools/p1/custom-db/import-rest' && method === 'POST') return { status: 202, body: { jobId: 'job-1' } };
    if (path === '/api/v1/pools/p1/jobs/job-1/cancel' && method === 'POST') return { status: 200, body: job({ status: 'cancelled' }) };
    if (path === '/api/system/public-ips') return { status: 200, body: { ips: [] } };
    return undefined;
  });
}

describe('custom database page: import the rest', () => {
  it('shows migrated, imported and still-in-the-old-database counts', async () => {
    serve(LAZY, [migration({ migratedUsers: 12, importedUsers: 80, legacyTotal: 100, remainingUsers: 8 })]);
    render(<CustomDbPage poolId="p1" />);
    expect((await screen.findByTestId('imported-users')).textContent).toBe('80');
    expect(screen.getByTestId('migrated-users').textContent).toBe('12');
    expect(screen.getByTestId('remaining-users').textContent).toBe('8');
  });

  it('starts the import, then shows its progress bar, counts and ETA, and cancels it', async () => {
    const api = serve(LAZY, [migration(), migration({ activeJob: job() })]);
    render(<CustomDbPage poolId="p1" />);
    expect((await screen.findByTestId('remaining-users')).textContent).toBe('Not counted yet');
    fireEvent.click(screen.getByRole('button', { name: 'Import the rest' }));
    const bar = (await screen.findByLabelText('Importing the rest')) as HTMLProgressElement;
    expect(api.sent.some((request) => request.method === 'POST' && request.path === '/api/v1/pools/p1/custom-db/import-rest')).toBe(true);
    expect(bar.max).toBe(100);
    expect(bar.value).toBe(40);
    const status = screen.getByTestId('import-status').textContent;
    expect(status).toContain('40 of 100 users read · 30 created · 8 already here · 2 failed');
    // 40 users in 40 s: 60 left take about a minute.
    expect(status).toMatch(/about 6\d s left/);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel import' }));
    await waitFor(() => expect(api.sent.some((request) => request.path === '/api/v1/pools/p1/jobs/job-1/cancel')).toBe(true));
  });

  it('reads a running import again every second until it ends, then says how it ended', async () => {
    serve(LAZY, [
      migration({ activeJob: job({ processed: 10 }) }),
      migration({ activeJob: job({ processed: 70 }) }),
      migration({ importedUsers: 88, legacyTotal: 100, remainingUsers: 0, lastJob: job({ status: 'done', processed: 100, finishedAt: new Date().toISOString() }) }),
    ]);
    render(<CustomDbPage poolId="p1" />);
    expect(((await screen.findByLabelText('Importing the rest')) as HTMLProgressElement).value).toBe(10);
    await waitFor(() => expect((screen.getByLabelText('Importing the rest') as HTMLProgressElement).value).toBe(70), { timeout: 3000 });
    expect((await screen.findByTestId('last-import', {}, { timeout: 3000 })).textContent).toContain('The last import finished');
    expect(screen.getByTestId('remaining-users').textContent).toBe('0');
  });

  it('offers "Finish migration" when nothing is left, and it switches the connection off after a confirmation', async () => {
    const api = serve(LAZY, [migration({ importedUsers: 88, legacyTotal: 100, remainingUsers: 0 })]);
    const confirm = vi.fn<(message?: string) => boolean>().mockReturnValue(true);
    window.confirm = confirm;
    render(<CustomDbPage poolId="p1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Finish migration' }));
    await waitFor(() => expect(api.sent.find((request) => request.method === 'PUT')?.body).toEqual({ enabled: false }));
    expect(confirm).toHaveBeenCalledTimes(1);
    // The form starts over from the saved connection: switched off.
    await waitFor(() => expect((screen.getByRole('switch', { name: 'Enable custom database' }) as HTMLInputElement).checked).toBe(false));
  });

  it('keeps "Import the rest" disabled without an enabled lazy migration that has an Export users script', async () => {
    serve(customDb({ enabled: true, mode: 'LAZY_MIGRATION' }));
    render(<CustomDbPage poolId="p1" />);
    const button = (await screen.findByRole('button', { name: 'Import the rest' })) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
  });
});

describe('import ETA', () => {
  it('applies the pace so far to what is left, and is unknown without a total or progress', () => {
    const startedAt = new Date(0).toISOString();
    expect(estimateRemaining({ total: 100, processed: 25, startedAt }, 10_000)).toBe(30_000);
    expect(estimateRemaining({ processed: 25, startedAt }, 10_000)).toBeNull();
    expect(estimateRemaining({ total: 100, processed: 0, startedAt }, 10_000)).toBeNull();
    expect(formatEta(30_000)).toBe('about 30 s left');
    expect(formatEta(600_000)).toBe('about 10 min left');
    expect(formatEta(3 * 3600_000)).toBe('about 3 h left');
  });
});
