// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImportUsersPage, importContentType } from '../../src/console/users/ImportUsersPage.js';
import { fakeApi } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function job(overrides: Record<string, unknown> = {}) {
  return {
    id: 'job-1',
    kind: 'import',
    status: 'running',
    total: 4,
    processed: 2,
    created: 1,
    updated: 0,
    skipped: 0,
    failed: 1,
    errors: [{ line: 2, externalId: '43', message: 'body.email: must be an email address' }],
    startedAt: new Date(Date.now() - 2_000).toISOString(),
    finishedAt: null,
    ...overrides,
  };
}

/** The page's API with the job answers given in turn to GET …/jobs/job-1 (the last one repeats). */
function serve(answers: Record<string, unknown>[] = [job()], listed: Record<string, unknown>[] = []) {
  let next = 0;
  return fakeApi(({ method, path }) => {
    if (path.startsWith('/api/v1/pools/p1/jobs?')) return { status: 200, body: { list: listed, totalCount: listed.length } };
    if (path === '/api/v1/pools/p1/users/import' && method === 'POST') return { status: 202, body: { jobId: 'job-1' } };
    if (path === '/api/v1/pools/p1/jobs/job-1' && method === 'GET') {
      const answer = answers[Math.min(next, answers.length - 1)];
      next += 1;
      return { status: 200, body: answer };
    }
    if (path === '/api/v1/pools/p1/jobs/job-1/cancel' && method === 'POST') return { status: 200, body: job({ status: 'cancelled', finishedAt: new Date().toISOString() }) };
    return undefined;
  });
}

function choose(file: File) {
  fireEvent.change(screen.getByLabelText('File of users'), { target: { files: [file] } });
  fireEvent.click(screen.getByRole('button', { name: 'Import' }));
}

const NDJSON = '{"externalId":"42","email":"alice@example.com"}\n{"externalId":"43","email":"nope"}\n';

describe('console: import users page', () => {
  it('names the body type from the file name', () => {
    expect(importContentType('users.ndjson')).toBe('application/x-ndjson');
    expect(importContentType('USERS.JSONL')).toBe('application/x-ndjson');
    expect(importContentType('users.json')).toBe('application/json');
    expect(importContentType('users.csv')).toBeNull();
  });

  it('sends the chosen file as the body with its content type, not multipart', async () => {
    const api = serve();
    render(<ImportUsersPage poolId="p1" />);
    const file = new File([NDJSON], 'users.ndjson');
    choose(file);
    await screen.findByLabelText('Importing users');
    const index = api.sent.findIndex((request) => request.method === 'POST' && request.path === '/api/v1/pools/p1/users/import');
    expect(api.sent[index]?.headers['content-type']).toBe('application/x-ndjson');
    const body = api.fetch.mock.calls[index]?.[1]?.body;
    expect(body).toBeInstanceOf(Blob);
    expect(await (body as Blob).text()).toBe(NDJSON);

    cleanup();
    const again = serve();
    render(<ImportUsersPage poolId="p1" />);
    choose(new File(['[]'], 'users.json'));
    await waitFor(() => expect(again.sent.find((request) => request.path === '/api/v1/pools/p1/users/import')?.headers['content-type']).toBe('application/json'));
  });

  it('refuses a file that is neither NDJSON nor JSON, sending nothing', async () => {
    const api = serve();
    render(<ImportUsersPage poolId="p1" />);
    choose(new File(['a,b'], 'users.csv'));
    expect((await screen.findByRole('alert')).textContent).toContain('File of users: users.csv is neither');
    expect(api.sent.some((request) => request.path.endsWith('/users/import'))).toBe(false);
  });

  it('shows the progress bar and counts, reads the job every second until it ends, and lists the errors with line numbers', async () => {
    const api = serve([
      job(),
      job({ status: 'done', processed: 4, created: 2, updated: 1, finishedAt: new Date().toISOString() }),
    ]);
    render(<ImportUsersPage poolId="p1" />);
    choose(new File([NDJSON], 'users.jsonl'));
    const bar = (await screen.findByLabelText('Importing users')) as HTMLProgressElement;
    expect(bar.max).toBe(4);
    expect(bar.value).toBe(2);
    expect(screen.getByTestId('import-status').textContent).toContain('2 of 4 users read · 1 created · 0 updated · 0 skipped · 1 failed');
    const errors = screen.getByRole('table', { name: 'Errors' });
    const cells = within(errors).getAllByRole('cell').map((cell) => cell.textContent);
    expect(cells).toEqual(['2', '43', 'body.email: must be an email address']);

    await waitFor(() => expect(screen.getByTestId('import-status').textContent).toContain('The import finished'), { timeout: 3000 });
    expect(screen.getByTestId('import-status').textContent).toContain('4 of 4 users read · 2 created · 1 updated · 0 skipped · 1 failed');
    expect(screen.queryByLabelText('Importing users')).toBeNull();
    const reads = api.sent.filter((request) => request.path === '/api/v1/pools/p1/jobs/job-1').length;
    // It stops reading once the job has ended.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(api.sent.filter((request) => request.path === '/api/v1/pools/p1/jobs/job-1').length).toBe(reads);
  });

  it('cancels the running import', async () => {
    const api = serve();
    render(<ImportUsersPage poolId="p1" />);
    choose(new File([NDJSON], 'users.ndjson'));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel import' }));
    await waitFor(() => expect(api.sent.some((request) => request.method === 'POST' && request.path === '/api/v1/pools/p1/jobs/job-1/cancel')).toBe(true));
    expect((await screen.findByTestId('import-status')).textContent).toContain('The import was cancelled');
  });

  it("lists the pool's recent jobs, and shows one's errors", async () => {
    serve([], [job({ status: 'failed', finishedAt: new Date().toISOString() }), job({ id: 'job-0', kind: 'import-rest', status: 'done', errors: [] })]);
    render(<ImportUsersPage poolId="p1" />);
    const table = await screen.findByRole('table', { name: /recent import jobs/ });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[2]?.textContent)).toEqual(['Failed', 'Done']);
    expect(within(rows[1] as HTMLElement).getByText('Import the rest')).toBeTruthy();
    fireEvent.click(within(rows[0] as HTMLElement).getByRole('button', { name: /Show the job/ }));
    expect(within(screen.getByRole('table', { name: 'Errors' })).getByText('body.email: must be an email address')).toBeTruthy();
  });
});
